{#-
  Scope of a batch run for link_funnel_daily: the (link_id, click_date) rows to recompute.
    - every link and every click date any delivered version of a batch click had
      (staging's _link_ids_seen x _click_dates_seen), so a click that moved is removed from
      its old row;
    - all rows of links whose winning record came from this batch (a late or changed link
      changes the owner, product and channel of its old clicks);
    - the rows of the clicks that current or former trace_event_ids of recomputed order lines
      point to (attributed_orders and attributed_gmv).
  Empty on a full rebuild.
-#}

with clicks as (

    select event_id, link_id, click_date, _dt,
        {{ seen_values('_link_ids_seen', 'link_id') }} as link_ids_seen,
        {{ seen_values('_click_dates_seen', 'click_date') }} as click_dates_seen
    from {{ ref('stg_tiktok__link_clicks') }}

),

batch_clicks as (

    select * from clicks
    where {{ delivery_day_filter('_dt') }}

),

rows_of_batch_clicks as (

    select seen_links.link_id, seen_dates.click_date
    from batch_clicks,
        {{ unnest_list('batch_clicks.link_ids_seen', 'seen_links', 'link_id') }},
        {{ unnest_list('batch_clicks.click_dates_seen', 'seen_dates', 'click_date') }}

),

batch_links as (

    select link_id
    from {{ ref('stg_tiktok__links') }}
    where {{ delivery_day_filter('_dt') }}

),

rows_of_batch_links as (

    select link_id, click_date
    from clicks
    where link_id in (select link_id from batch_links)

),

traces_of_affected_lines as (

    select seen_traces.trace_event_id
    from {{ ref('stg_tiktok__affiliate_orders') }} as order_lines,
        {{ unnest_list(seen_values('order_lines._trace_event_ids_seen', 'order_lines.trace_event_id'), 'seen_traces', 'trace_event_id') }}
    where exists (
        select 1
        from {{ ref('int_order_items_affected') }} as affected
        where affected.order_id = order_lines.order_id
            and affected.sku_id = order_lines.sku_id
    )

),

rows_of_affected_lines as (

    select link_id, click_date
    from clicks
    where event_id in (select trace_event_id from traces_of_affected_lines)

),

affected as (

    select link_id, click_date from rows_of_batch_clicks
    union
    select link_id, click_date from rows_of_batch_links
    union
    select link_id, click_date from rows_of_affected_lines

)

select link_id, click_date
from affected
{%- if is_full_rebuild() %}
where 1 = 0
{%- endif %}
