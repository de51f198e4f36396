{#-
  One row per analysed creator of each defined experiment (EXPERIMENTS.md): the seven metrics
  over the window (start..end) and over the pre-period (as many days, ending the day before
  start) as <metric>_pre; no activity counts 0. Analysed: first assignment on or before end, on
  an arm of the definition. Rebuilt whole every run from marts that honour the one guarantee, so
  it honours it too; it reads only the creators' dates around each experiment.
-#}
with arms as (

    select * from {{ ref('int_experiment_arms') }}

),

analysed as (

    select
        a.experiment_id,
        a.creator_open_id,
        a.arm,
        arms.start_date,
        arms.end_date,
        arms.pre_start_date,
        arms.pre_end_date
    from {{ ref('stg_tiktok__experiment_assignments') }} as a
    inner join arms
        on arms.experiment_id = a.experiment_id and arms.arm = a.arm
    where cast(a.assigned_at as date) <= arms.end_date

),

daily as (

    select
        an.experiment_id,
        an.creator_open_id,
        d.activity_date between an.start_date and an.end_date as in_window,
        d.clicks,
        d.linkshare_gmv,
        d.gross_gmv,
        d.orders,
        d.violations
    from analysed as an
    inner join {{ ref('creator_daily') }} as d
        on
        d.creator_open_id = an.creator_open_id
        and d.activity_date between an.pre_start_date and an.end_date

),

daily_totals as (

    select
        experiment_id,
        creator_open_id,
        sum(case when in_window then clicks else 0 end) as linkshare_clicks,
        sum(case when in_window then 0 else clicks end) as linkshare_clicks_pre,
        sum(case when in_window then linkshare_gmv else 0 end) as linkshare_gmv,
        sum(case when in_window then 0 else linkshare_gmv end) as linkshare_gmv_pre,
        sum(case when in_window then gross_gmv else 0 end) as gross_gmv,
        sum(case when in_window then 0 else gross_gmv end) as gross_gmv_pre,
        sum(case when in_window then orders else 0 end) as orders,
        sum(case when in_window then 0 else orders end) as orders_pre,
        sum(case when in_window then violations else 0 end) as violations,
        sum(case when in_window then 0 else violations end) as violations_pre
    from daily
    group by experiment_id, creator_open_id

),

link_orders as (

    -- attributed orders of the creator's links, by the click's date
    select
        an.experiment_id,
        an.creator_open_id,
        sum(case when f.click_date between an.start_date and an.end_date then f.attributed_orders else 0 end)
            as linkshare_orders,
        sum(case when f.click_date between an.start_date and an.end_date then 0 else f.attributed_orders end)
            as linkshare_orders_pre
    from analysed as an
    inner join {{ ref('link_funnel_daily') }} as f
        on
        f.creator_open_id = an.creator_open_id
        and f.click_date between an.pre_start_date and an.end_date
    group by an.experiment_id, an.creator_open_id

),

shared as (

    select
        an.experiment_id,
        an.creator_open_id,
        max(case when cast(l.created_at as date) between an.start_date and an.end_date then 1 else 0 end)
            as shared_link,
        max(case when cast(l.created_at as date) between an.pre_start_date and an.pre_end_date then 1 else 0 end)
            as shared_link_pre
    from analysed as an
    inner join {{ ref('stg_tiktok__links') }} as l
        on
        l.creator_open_id = an.creator_open_id
        and cast(l.created_at as date) between an.pre_start_date and an.end_date
    group by an.experiment_id, an.creator_open_id

)

select
    an.experiment_id,
    an.creator_open_id,
    an.arm,
    coalesce(t.linkshare_clicks, 0) as linkshare_clicks,
    coalesce(o.linkshare_orders, 0) as linkshare_orders,
    coalesce(t.linkshare_gmv, 0) as linkshare_gmv,
    coalesce(t.gross_gmv, 0) as gross_gmv,
    coalesce(t.orders, 0) as orders,
    coalesce(t.violations, 0) as violations,
    coalesce(s.shared_link, 0) as shared_link,
    coalesce(t.linkshare_clicks_pre, 0) as linkshare_clicks_pre,
    coalesce(o.linkshare_orders_pre, 0) as linkshare_orders_pre,
    coalesce(t.linkshare_gmv_pre, 0) as linkshare_gmv_pre,
    coalesce(t.gross_gmv_pre, 0) as gross_gmv_pre,
    coalesce(t.orders_pre, 0) as orders_pre,
    coalesce(t.violations_pre, 0) as violations_pre,
    coalesce(s.shared_link_pre, 0) as shared_link_pre
from analysed as an
left join daily_totals as t
    on t.experiment_id = an.experiment_id and t.creator_open_id = an.creator_open_id
left join link_orders as o
    on o.experiment_id = an.experiment_id and o.creator_open_id = an.creator_open_id
left join shared as s
    on s.experiment_id = an.experiment_id and s.creator_open_id = an.creator_open_id
