{#-
  Scope of a batch run for link_funnel_daily: the (link_id, click_date) rows to recompute.
    - every link and every click date any delivered version of a batch click had
      (staging's seen lists), so a click that moved is removed from its old row;
    - all rows of links whose winning record came from this batch and is new (a link that
      arrives after its clicks) or has ever had another owner, product or channel: the feed
      re-delivers every recent link daily, and an unchanged re-delivery changes no row;
    - the rows of the clicks that current or former trace_event_ids of recomputed order lines
      point to (attributed_orders and attributed_gmv).
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

multi_valued_batch_clicks as (

    select * from batch_clicks
    where _link_ids_seen is not null or _click_dates_seen is not null

),

rows_of_batch_clicks as (

    {#- nearly every click has only ever had one link and one date: no list work for those -#}
    select link_id, click_date
    from batch_clicks
    where _link_ids_seen is null and _click_dates_seen is null

    union all

    select seen_links.link_id, seen_dates.click_date
    from multi_valued_batch_clicks,
        {{ unnest_list(
            seen_values('multi_valued_batch_clicks._link_ids_seen', 'multi_valued_batch_clicks.link_id'),
            'seen_links', 'link_id'
        ) }},
        {{ unnest_list(
            seen_values('multi_valued_batch_clicks._click_dates_seen', 'multi_valued_batch_clicks.click_date'),
            'seen_dates', 'click_date'
        ) }}

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

affected_lines as (

    select order_lines.trace_event_id, order_lines._trace_event_ids_seen
    from {{ ref('stg_tiktok__affiliate_orders') }} as order_lines
    inner join {{ ref('int_order_items_affected') }} as affected
        on affected.order_id = order_lines.order_id
        and affected.sku_id = order_lines.sku_id

),

traces_of_affected_lines as (

    select trace_event_id
    from affected_lines
    where _trace_event_ids_seen is null and trace_event_id is not null

    union all

    select seen_traces.trace_event_id
    from (
        select _trace_event_ids_seen
        from affected_lines
        where _trace_event_ids_seen is not null
    ) as multi_valued,
        {{ unnest_list('multi_valued._trace_event_ids_seen', 'seen_traces', 'trace_event_id') }}

),

rows_of_affected_lines as (

    select traced_clicks.link_id, traced_clicks.click_date
    from {{ rows_with_key_hashes(
        ref('stg_tiktok__link_clicks'),
        'select ' ~ key_hash(['trace_event_id'], 'traces_of_affected_lines.') ~ ' from traces_of_affected_lines'
    ) }} as traced_clicks
    where traced_clicks.event_id in (select traces_of_affected_lines.trace_event_id from traces_of_affected_lines)

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
