{{ config(
    materialized='incremental',
    incremental_strategy='replace_scope',
    scope_model='int_activity_dates_affected',
    scope_columns={'order_date': 'activity_date'}
) }}
-- depends_on: {{ ref('int_activity_dates_affected') }}

{# Order measures per UTC order date over all order lines: feeds offsite_program_daily (money)
    and governance_daily (orders), so neither has to rescan fct_order_items. #}

with order_items as (

    select *
    from {{ ref('fct_order_items') }}
    {%- if is_incremental() %}
    where {{ in_scope_values('order_date', 'int_activity_dates_affected', 'activity_date') }}
    {%- endif %}

)

select
    order_date,
    count(distinct order_id) as orders,
    count(*) as order_lines,
    cast(sum(quantity) as bigint) as items_sold,
    cast(sum(gross_gmv) as decimal(18, 2)) as gross_gmv,
    cast(sum(net_gmv) as decimal(18, 2)) as net_gmv,
    cast(coalesce(sum(case when content_type = 'LINKSHARE' then gross_gmv end), 0) as decimal(18, 2)) as linkshare_gmv,
    cast(sum(estimated_commission) as decimal(18, 2)) as estimated_commission
from order_items
group by order_date
