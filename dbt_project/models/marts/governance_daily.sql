{#- Small: rebuilt on every run from fct_violations and the per-date order counts. -#}

with violations as (

    select * from {{ ref('fct_violations') }}

),

violation_measures as (

    select
        enforced_date,
        policy_category,
        count(*) as violations,
        count(appeal_id) as appealed,
        count(case when is_overturned then 1 end) as overturned,
        count(case when is_appeal_resolved then 1 end) as resolved_appeals,
        percentile_cont(0.5) within group (order by hours_to_resolution) as median_hours_to_resolution
    from violations
    group by enforced_date, policy_category

),

order_measures as (

    select order_date, orders
    from {{ ref('int_order_items_aggregated_daily') }}

)

select
    violation_measures.enforced_date,
    violation_measures.policy_category,
    violation_measures.violations,
    coalesce(order_measures.orders, 0) as orders,
    {{ safe_ratio('violation_measures.violations * 1000', 'order_measures.orders') }} as violations_per_1k_orders,
    violation_measures.appealed,
    violation_measures.overturned,
    {{ safe_ratio('violation_measures.overturned', 'violation_measures.resolved_appeals') }} as overturn_rate,
    cast(violation_measures.median_hours_to_resolution as double) as median_hours_to_resolution
from violation_measures
left join order_measures
    on order_measures.order_date = violation_measures.enforced_date
