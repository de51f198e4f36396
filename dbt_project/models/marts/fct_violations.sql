{#- Small: rebuilt from staging on every run (the 90-day windows look across all violations). -#}

with violations as (

    select
        violation_id,
        creator_open_id,
        policy_category,
        severity,
        chr_delta,
        enforcement_action,
        detected_at,
        enforced_at,
        enforced_date
    from {{ ref('stg_tiktok__violations') }}

),

appeals_ranked as (

    select
        appeal_id,
        violation_id,
        status,
        submitted_at,
        resolved_at,
        row_number() over (
            partition by violation_id
            order by submitted_at desc, update_time desc, appeal_id desc
        ) as appeal_rank
    from {{ ref('stg_tiktok__appeals') }}

),

latest_appeals as (

    select
        appeal_id,
        violation_id,
        status as appeal_status,
        submitted_at as appeal_submitted_at,
        resolved_at as appeal_resolved_at,
        (status <> 'PENDING' and resolved_at is not null) as is_appeal_resolved
    from appeals_ranked
    where appeal_rank = 1

),

prior_90d as (

    select
        this_violation.violation_id,
        count(other.violation_id) as prior_violations_90d
    from violations as this_violation
    left join violations as other
        on other.creator_open_id = this_violation.creator_open_id
        and other.violation_id <> this_violation.violation_id
        and other.enforced_at >= {{ dbt.dateadd('day', -90, 'this_violation.enforced_at') }}
        and other.enforced_at < this_violation.enforced_at
    group by this_violation.violation_id

),

same_policy_90d as (

    select
        this_violation.violation_id,
        count(*) as same_policy_90d
    from violations as this_violation
    inner join violations as other
        on other.creator_open_id = this_violation.creator_open_id
        and other.policy_category = this_violation.policy_category
        and other.enforced_at > {{ dbt.dateadd('day', -90, 'this_violation.enforced_at') }}
        and other.enforced_at <= this_violation.enforced_at
    group by this_violation.violation_id

)

select
    violations.violation_id,
    violations.creator_open_id,
    violations.policy_category,
    violations.severity,
    violations.chr_delta,
    violations.enforcement_action,
    violations.detected_at,
    violations.enforced_at,
    violations.enforced_date,
    latest_appeals.appeal_id,
    latest_appeals.appeal_status,
    latest_appeals.appeal_submitted_at,
    latest_appeals.appeal_resolved_at,
    case
        when latest_appeals.is_appeal_resolved
            then
                {{ dbt.datediff('latest_appeals.appeal_submitted_at', 'latest_appeals.appeal_resolved_at', 'second') }}
                / 3600.0
    end as hours_to_resolution,
    coalesce(latest_appeals.appeal_status = 'APPROVED', false) as is_overturned,
    coalesce(latest_appeals.is_appeal_resolved, false) as is_appeal_resolved,
    prior_90d.prior_violations_90d,
    prior_90d.prior_violations_90d >= 1 as is_repeat_violator,
    same_policy_90d.same_policy_90d,
    same_policy_90d.same_policy_90d >= 6 as hits_same_policy_limit
from violations
left join latest_appeals
    on latest_appeals.violation_id = violations.violation_id
inner join prior_90d
    on prior_90d.violation_id = violations.violation_id
inner join same_policy_90d
    on same_policy_90d.violation_id = violations.violation_id
