{#-
  The clicks that the current or former trace_event_ids of the batch's affected order lines point
  to, read from the click history once per run: fct_order_items attributes the lines with them,
  int_link_days_affected recomputes the attribution of their link-days. Each probe of the click
  history costs a scan of its key hashes plus a fetch from every row group (late orders trace
  clicks of every age), so both models share this one. Empty on a full rebuild, as
  int_order_items_affected is (fct_order_items then reads staging whole).
-#}

with affected_lines as (

    select order_lines.trace_event_id, order_lines._trace_event_ids_seen
    from {{ ref('stg_tiktok__affiliate_orders') }} as order_lines
    inner join {{ ref('int_order_items_affected') }} as affected
        on affected.order_id = order_lines.order_id
        and affected.sku_id = order_lines.sku_id

),

traces as (

    {{ seen_combinations('affected_lines', {'trace_event_id': '_trace_event_ids_seen'}) }}

)

select traced_clicks.event_id, traced_clicks.link_id, traced_clicks.click_date, traced_clicks.clicked_at
from {{ rows_with_key_hashes(
    ref('stg_tiktok__link_clicks'),
    'select ' ~ key_hash(['trace_event_id'], 'traces.') ~ ' from traces where traces.trace_event_id is not null'
) }} as traced_clicks
where traced_clicks.event_id in (select traces.trace_event_id from traces)
