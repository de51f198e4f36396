{{ config(
    materialized='incremental',
    incremental_strategy='replace_scope',
    scope_model='int_creator_days_affected',
    scope_columns=['creator_open_id', 'activity_date']
) }}
-- depends_on: {{ ref('int_creator_days_affected') }}

with order_measures as (

    select
        creator_open_id,
        order_date as activity_date,
        count(distinct order_id) as orders,
        cast(sum(quantity) as bigint) as items_sold,
        sum(gross_gmv) as gross_gmv,
        sum(net_gmv) as net_gmv,
        sum(case when content_type = 'LINKSHARE' then gross_gmv else 0 end) as linkshare_gmv,
        sum(estimated_commission) as estimated_commission
    from {{ ref('fct_order_items') }} as order_items  -- noqa: AL05
    where {{ in_scope_keys(
        'order_items', 'int_creator_days_affected', {'creator_open_id': 'creator_open_id', 'order_date': 'activity_date'}
    ) }}
    group by creator_open_id, order_date

),

click_measures as (

    select
        creator_open_id,
        click_date as activity_date,
        cast(sum(clicks) as bigint) as clicks
    from {{ ref('link_funnel_daily') }} as funnel  -- noqa: AL05
    where {{ in_scope_keys(
        'funnel', 'int_creator_days_affected', {'creator_open_id': 'creator_open_id', 'click_date': 'activity_date'}
    ) }}
        and creator_open_id is not null
    group by creator_open_id, click_date

),

violation_measures as (

    select
        creator_open_id,
        enforced_date as activity_date,
        count(*) as violations
    from {{ ref('stg_tiktok__violations') }} as violations  -- noqa: AL05
    where {{ in_scope_keys(
        'violations', 'int_creator_days_affected', {'creator_open_id': 'creator_open_id', 'enforced_date': 'activity_date'}
    ) }}
    group by creator_open_id, enforced_date

),

creator_days as (

    select creator_open_id, activity_date from order_measures
    union
    select creator_open_id, activity_date from click_measures
    union
    select creator_open_id, activity_date from violation_measures

)

select
    creator_days.creator_open_id,
    creator_days.activity_date,
    coalesce(order_measures.orders, 0) as orders,
    coalesce(order_measures.items_sold, 0) as items_sold,
    cast(coalesce(order_measures.gross_gmv, 0) as decimal(18, 2)) as gross_gmv,
    cast(coalesce(order_measures.net_gmv, 0) as decimal(18, 2)) as net_gmv,
    cast(coalesce(order_measures.linkshare_gmv, 0) as decimal(18, 2)) as linkshare_gmv,
    cast(coalesce(order_measures.estimated_commission, 0) as decimal(18, 2)) as estimated_commission,
    coalesce(click_measures.clicks, 0) as clicks,
    coalesce(violation_measures.violations, 0) as violations
from creator_days
left join order_measures
    on order_measures.creator_open_id = creator_days.creator_open_id
    and order_measures.activity_date = creator_days.activity_date
left join click_measures
    on click_measures.creator_open_id = creator_days.creator_open_id
    and click_measures.activity_date = creator_days.activity_date
left join violation_measures
    on violation_measures.creator_open_id = creator_days.creator_open_id
    and violation_measures.activity_date = creator_days.activity_date
