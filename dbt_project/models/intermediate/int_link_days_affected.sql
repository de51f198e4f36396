{#-
  Scope of a batch run for link_funnel_daily: the (link_id, click_date) rows to recompute.
    - every link and every click date any delivered version of a batch click had
      (staging's seen lists), so a click that moved is removed from its old row;
    - all rows of links whose winning record came from this batch and is new (a link that
      arrives after its clicks) or has ever had another owner, product or channel: the feed
      re-delivers every recent link daily, and an unchanged re-delivery changes no row;
    - the rows of the clicks that current or former trace_event_ids of recomputed order lines
      point to (attributed_orders and attributed_gmv): int_traced_clicks.
  recount_clicks: whether the row's clicks (or its link) changed. Where only its attribution did
  (a late order update traced to an old click), link_funnel_daily keeps the row's click measures
  instead of recounting months-old clicks.
  Empty on a full rebuild.
-#}

with batch_clicks as (

    select event_id, link_id, click_date, _link_ids_seen, _click_dates_seen
    from {{ ref('stg_tiktok__link_clicks') }}
    where {{ delivery_day_filter('_dt') }}

),

rows_of_batch_clicks as (

    {{ seen_combinations('batch_clicks', {'link_id': '_link_ids_seen', 'click_date': '_click_dates_seen'}) }}

),

batch_links as (

    select link_id
    from {{ ref('stg_tiktok__links') }}
    where {{ delivery_day_filter('_dt') }}
        and (
            {{ delivery_day_filter('_first_dt') }}
            or _creator_open_ids_seen is not null
            or _product_ids_seen is not null
            or _channels_seen is not null
        )

),

rows_of_batch_links as (

    select link_id, click_date
    from {{ ref('stg_tiktok__link_clicks') }}
    where link_id in (select batch_links.link_id from batch_links)

),

rows_of_affected_lines as (

    select link_id, click_date from {{ ref('int_traced_clicks') }}

),

affected as (

    select link_id, click_date, true as recount_clicks from rows_of_batch_clicks
    union all
    select link_id, click_date, true as recount_clicks from rows_of_batch_links
    union all
    select link_id, click_date, false as recount_clicks from rows_of_affected_lines

)

select link_id, click_date, {{ dbt.bool_or('recount_clicks') }} as recount_clicks
from affected
{%- if is_full_rebuild() %}
where 1 = 0
{%- endif %}
group by link_id, click_date
