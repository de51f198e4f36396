{#-
  Scope of a batch run for fct_order_items: the order lines to recompute.
    - lines whose winning staging record came from this batch (new lines, updates), and
    - lines whose trace_event_id is a click whose winning record came from this batch
      (a late click can flip is_attributed_click of an old order).
  Lines whose batch record lost to a later one are unchanged and need no work.
  Empty on a full rebuild (everything is rebuilt then).
-#}

with order_lines as (

    select order_id, sku_id, trace_event_id, _dt
    from {{ ref('stg_tiktok__affiliate_orders') }}

),

batch_clicks as (

    select event_id
    from {{ ref('stg_tiktok__link_clicks') }}
    where {{ delivery_day_filter('_dt') }}

),

lines_of_batch as (

    select order_id, sku_id
    from order_lines
    where {{ delivery_day_filter('_dt') }}

),

lines_traced_to_batch_clicks as (

    select order_id, sku_id
    from order_lines
    where trace_event_id in (select batch_clicks.event_id from batch_clicks)

),

affected as (

    select order_id, sku_id from lines_of_batch
    union
    select order_id, sku_id from lines_traced_to_batch_clicks

)

select order_id, sku_id
from affected
{%- if is_full_rebuild() %}
where 1 = 0
{%- endif %}
