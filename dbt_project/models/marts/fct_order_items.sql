{{ config(
    materialized='incremental',
    incremental_strategy='replace_scope',
    scope_model='int_order_items_affected',
    scope_columns=['order_id', 'sku_id']
) }}
-- depends_on: {{ ref('int_order_items_affected') }}
-- depends_on: {{ ref('int_traced_clicks') }}

{% set window_seconds = (var('attribution_window_days') | int) * 86400 %}

with order_lines as (

    {%- if is_incremental() %}
    select *
    from {{ rows_with_key_hashes(
        ref('stg_tiktok__affiliate_orders'),
        'select ' ~ key_hash(['order_id', 'sku_id'], 'affected.') ~ ' from ' ~ ref('int_order_items_affected') ~ ' as affected'
    ) }} as order_lines
    where exists (
        select 1
        from {{ ref('int_order_items_affected') }} as affected
        where affected.order_id = order_lines.order_id
            and affected.sku_id = order_lines.sku_id
    )
    {%- else %}
    select * from {{ ref('stg_tiktok__affiliate_orders') }}
    {%- endif %}

),

clicks as (

    select event_id, link_id, clicked_at
    {%- if is_incremental() %}
    {#- the clicks the affected lines trace, read from the click history once per run #}
    from {{ ref('int_traced_clicks') }}
    {%- else %}
    from {{ ref('stg_tiktok__link_clicks') }}
    {%- endif %}

),

lines as (

    select
        *,
        case when content_type = 'LINKSHARE' then content_id end as link_id,
        cast(quantity * unit_price as decimal(18, 2)) as gross_gmv,
        cast((quantity - refunded_quantity) * unit_price as decimal(18, 2)) as net_gmv
    from order_lines

),

attributed as (

    select
        lines.*,
        clicks.clicked_at as trace_clicked_at,
        coalesce(
            lines.content_type = 'LINKSHARE'
            and clicks.event_id is not null
            and {{ dbt.datediff('clicks.clicked_at', 'lines.created_at', 'second') }}
            between 0 and {{ window_seconds }},
            false
        ) as is_attributed_click
    from lines
    left join clicks
        on clicks.event_id = lines.trace_event_id
        and clicks.link_id = lines.link_id

)

select
    order_id,
    sku_id,
    creator_open_id,
    product_id,
    shop_id,
    content_type,
    link_id,
    trace_event_id,
    order_date,
    created_at,
    status,
    quantity,
    refunded_quantity,
    unit_price,
    gross_gmv,
    net_gmv,
    commission_rate,
    {{ commission_amount('net_gmv', 'commission_rate') }} as estimated_commission,
    is_attributed_click,
    case when is_attributed_click then trace_clicked_at end as attributed_clicked_at
from attributed
