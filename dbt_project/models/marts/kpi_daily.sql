{{ config(
    materialized='incremental',
    incremental_strategy='replace_scope',
    scope_model='int_kpi_dates_affected',
    scope_columns=['activity_date']
) }}
-- depends_on: {{ ref('int_kpi_dates_affected') }}

{#- The headline figures, defined once (MARTS.md): read from the marts that already hold their
    parts, never re-derived from the facts. Incremental: a run recomputes whole dates of
    int_kpi_dates_affected. -#}

{% set incremental = is_incremental() %}
{% set scope_model = 'int_kpi_dates_affected' %}

with order_measures as (

    select
        order_date as activity_date,
        orders,
        gross_gmv,
        net_gmv
    from {{ ref('int_order_items_aggregated_daily') }}
    where {{ in_scope_values('order_date', scope_model, 'activity_date') if incremental else '1 = 1' }}

),

creator_measures as (

    select
        activity_date,
        count(distinct creator_open_id) as active_creators
    from {{ ref('creator_daily') }}
    where {{ in_scope_values('activity_date', scope_model, 'activity_date') if incremental else '1 = 1' }}
        and orders > 0
    group by activity_date

),

program_measures as (

    select
        activity_date,
        sharing_creators,
        clicks,
        attributed_orders,
        linkshare_gmv
    from {{ ref('offsite_program_daily') }}
    where {{ in_scope_values('activity_date', scope_model, 'activity_date') if incremental else '1 = 1' }}

),

violation_measures as (

    select
        enforced_date as activity_date,
        count(*) as violations,
        count(appeal_id) as appealed,
        count(case when is_appeal_resolved then 1 end) as resolved_appeals,
        count(case when is_overturned then 1 end) as overturned
    from {{ ref('fct_violations') }}
    where {{ in_scope_values('enforced_date', scope_model, 'activity_date') if incremental else '1 = 1' }}
    group by enforced_date

),

activity_dates as (

    select activity_date from program_measures
    union
    select activity_date from violation_measures

),

measures as (

    select
        activity_dates.activity_date,
        coalesce(order_measures.orders, 0) as orders,
        cast(coalesce(order_measures.gross_gmv, 0) as decimal(18, 2)) as gross_gmv,
        cast(coalesce(order_measures.net_gmv, 0) as decimal(18, 2)) as net_gmv,
        coalesce(creator_measures.active_creators, 0) as active_creators,
        coalesce(program_measures.clicks, 0) as clicks,
        coalesce(program_measures.attributed_orders, 0) as attributed_orders,
        coalesce(program_measures.sharing_creators, 0) as sharing_creators,
        cast(coalesce(program_measures.linkshare_gmv, 0) as decimal(18, 2)) as linkshare_gmv,
        coalesce(violation_measures.violations, 0) as violations,
        coalesce(violation_measures.appealed, 0) as appealed,
        coalesce(violation_measures.resolved_appeals, 0) as resolved_appeals,
        coalesce(violation_measures.overturned, 0) as overturned
    from activity_dates
    left join order_measures
        on order_measures.activity_date = activity_dates.activity_date
    left join creator_measures
        on creator_measures.activity_date = activity_dates.activity_date
    left join program_measures
        on program_measures.activity_date = activity_dates.activity_date
    left join violation_measures
        on violation_measures.activity_date = activity_dates.activity_date

)

select
    activity_date,
    orders,
    gross_gmv,
    net_gmv,
    1 - {{ safe_ratio('net_gmv', 'gross_gmv') }} as refund_rate,
    active_creators,
    clicks,
    attributed_orders,
    {{ safe_ratio('attributed_orders', 'clicks') }} as click_to_order_rate,
    sharing_creators,
    linkshare_gmv,
    {{ safe_ratio('linkshare_gmv', 'gross_gmv') }} as linkshare_share,
    violations,
    {{ safe_ratio('violations * 1000', 'orders') }} as violations_per_1k_orders,
    appealed,
    resolved_appeals,
    overturned,
    {{ safe_ratio('overturned', 'resolved_appeals') }} as overturn_rate
from measures
