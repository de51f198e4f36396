{#-
  One row per experiment_id in the assignments feed (EXPERIMENTS.md). A creator's first
  assignment decides where it counts: no definition -> only `creators`; assigned after the
  experiment's end -> assigned_after_end (even on an unknown arm); an arm the definition lacks ->
  unknown_arm; otherwise analysed. Rebuilt whole from staging every run.
-#}
with experiments as (

    select distinct experiment_id, end_date
    from {{ ref('int_experiment_arms') }}

),

classified as (

    select
        a.experiment_id,
        a.creator_open_id,
        a.reassigned,
        e.experiment_id is not null as is_defined,
        e.experiment_id is not null and cast(a.assigned_at as date) > e.end_date as is_after_end,
        e.experiment_id is not null and cast(a.assigned_at as date) <= e.end_date
        and arms.arm is null as is_unknown_arm,
        e.experiment_id is not null and cast(a.assigned_at as date) <= e.end_date
        and arms.arm is not null as is_analysed
    from {{ ref('stg_tiktok__experiment_assignments') }} as a
    left join experiments as e
        on e.experiment_id = a.experiment_id
    left join {{ ref('int_experiment_arms') }} as arms
        on arms.experiment_id = a.experiment_id and arms.arm = a.arm

)

select
    experiment_id,
    bool_or(is_defined) as is_defined,
    count(*) as creators,
    cast(sum(case when is_analysed then 1 else 0 end) as bigint) as analysed,
    cast(sum(case when is_after_end then 1 else 0 end) as bigint) as assigned_after_end,
    cast(sum(case when is_unknown_arm then 1 else 0 end) as bigint) as unknown_arm,
    cast(sum(case when is_analysed and reassigned then 1 else 0 end) as bigint) as reassigned
from classified
group by experiment_id
