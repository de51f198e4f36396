{{ config(
    materialized='incremental',
    incremental_strategy='replace_scope',
    scope_model='int_activity_dates_affected',
    scope_columns=['activity_date']
) }}
-- depends_on: {{ ref('int_activity_dates_affected') }}

with click_measures as (

    select
        click_date as activity_date,
        count(distinct creator_open_id) as sharing_creators,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(attributed_orders) as bigint) as attributed_orders
    from {{ ref('link_funnel_daily') }}
    {%- if is_incremental() %}
    where {{ in_scope_values('click_date', 'int_activity_dates_affected', 'activity_date') }}
    {%- endif %}
    group by click_date

),

money_measures as (

    select
        order_date as activity_date,
        linkshare_gmv,
        gross_gmv as total_gmv
    from {{ ref('int_order_items_aggregated_daily') }}
    {%- if is_incremental() %}
    where {{ in_scope_values('order_date', 'int_activity_dates_affected', 'activity_date') }}
    {%- endif %}

),

activity_dates as (

    select activity_date from click_measures
    union
    select activity_date from money_measures

)

select
    activity_dates.activity_date,
    coalesce(click_measures.sharing_creators, 0) as sharing_creators,
    coalesce(click_measures.clicks, 0) as clicks,
    coalesce(click_measures.attributed_orders, 0) as attributed_orders,
    cast(coalesce(money_measures.linkshare_gmv, 0) as decimal(18, 2)) as linkshare_gmv,
    cast(coalesce(money_measures.total_gmv, 0) as decimal(18, 2)) as total_gmv,
    {{ safe_ratio('money_measures.linkshare_gmv', 'money_measures.total_gmv') }} as linkshare_share
from activity_dates
left join click_measures
    on click_measures.activity_date = activity_dates.activity_date
left join money_measures
    on money_measures.activity_date = activity_dates.activity_date
