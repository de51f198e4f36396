{#-
  goal_attainment_daily (EXPERIMENTS.md): per goal and date, the kpi_daily metric over the
  trailing window (a rate as the ratio of the window's sums, a creator count as the daily average
  over window_days dates, any other count or money as the sum), the straight-line plan from the
  baseline's actual to the target, and the status. Dates run from baseline_date to the earlier of
  due_date and the last activity date minus lag_days. Rebuilt whole from kpi_daily every run.
-#}
{%- set sums = ['orders', 'gross_gmv', 'net_gmv', 'clicks', 'attributed_orders', 'sharing_creators',
                'active_creators', 'linkshare_gmv', 'violations', 'appealed', 'resolved_appeals', 'overturned'] -%}
{#- rate -> (formula over the window's sums, its denominator) -#}
{%- set ratios = {
    'refund_rate': ('1 - w.s_net_gmv / w.s_gross_gmv', 'w.s_gross_gmv'),
    'click_to_order_rate': ('w.s_attributed_orders / w.s_clicks', 'w.s_clicks'),
    'linkshare_share': ('w.s_linkshare_gmv / w.s_gross_gmv', 'w.s_gross_gmv'),
    'violations_per_1k_orders': ('1000 * w.s_violations / w.s_orders', 'w.s_orders'),
    'overturn_rate': ('w.s_overturned / w.s_resolved_appeals', 'w.s_resolved_appeals'),
} -%}
with goals as (

    select * from {{ ref('int_goals') }}

),

last_activity as (

    select max(activity_date) as last_date from {{ ref('kpi_daily') }}

),

spine as (

    select
        d.goal_id,
        d.date,
        d.window_start_date,
        d.days_since_baseline
    from {{ ref('int_goal_dates') }} as d
    inner join goals as g on g.goal_id = d.goal_id
    cross join last_activity as la
    where d.date <= {{ dbt.dateadd('day', '-g.lag_days', 'la.last_date') }}

),

window_sums as (

    select
        s.goal_id,
        s.date,
        {%- for c in sums %}
        cast(coalesce(sum(k.{{ c }}), 0) as double) as s_{{ c }},
        {%- endfor %}
        s.days_since_baseline
    from spine as s
    left join {{ ref('kpi_daily') }} as k
        on k.activity_date between s.window_start_date and s.date
    group by s.goal_id, s.date, s.days_since_baseline

),

actuals as (

    select
        w.goal_id,
        w.date,
        w.days_since_baseline,
        g.target,
        g.direction,
        g.span_days,
        case g.metric
            {%- for metric, (formula, denominator) in ratios.items() %}
            when '{{ metric }}'
                then case when {{ denominator }} = 0 then null else {{ formula }} end
            {%- endfor %}
            when 'active_creators' then w.s_active_creators / g.window_days
            when 'sharing_creators' then w.s_sharing_creators / g.window_days
            {%- for c in sums if c not in ('active_creators', 'sharing_creators') %}
            when '{{ c }}' then w.s_{{ c }}
            {%- endfor %}
        end as actual
    from window_sums as w
    inner join goals as g on g.goal_id = w.goal_id

),

planned as (

    select
        a.*,
        case
            when b.actual is null then null
            when a.span_days = 0 then a.target
            else b.actual + (a.target - b.actual) * a.days_since_baseline / a.span_days
        end as planned
    from actuals as a
    left join actuals as b
        on b.goal_id = a.goal_id and b.days_since_baseline = 0

)

select
    goal_id,
    date,
    actual,
    planned,
    target,
    case
        when actual is null then 'no_data'
        when (direction = 'up' and actual >= target) or (direction = 'down' and actual <= target) then 'achieved'
        when
            planned is not null
            and ((direction = 'up' and actual >= planned) or (direction = 'down' and actual <= planned))
            then 'on_track'
        else 'behind'
    end as status
from planned
