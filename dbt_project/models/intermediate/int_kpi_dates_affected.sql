{#-
  Scope of a batch run for kpi_daily: the dates of int_activity_dates_affected, plus the enforced
  dates of the violations whose appeals the batch delivered (a late appeal changes the appeal
  counts of its violation's date, which no order, click or violation of the batch touches).
  Assumes an appeal keeps its violation_id across versions (SOURCES.md gives no other rule).
  Empty on a full rebuild.
-#}

with batch_appeals as (

    select violation_id
    from {{ ref('stg_tiktok__appeals') }}
    where {{ delivery_day_filter('_dt') }}

),

appeal_dates as (

    select violations.enforced_date as activity_date
    from {{ ref('stg_tiktok__violations') }} as violations
    where violations.violation_id in (select batch_appeals.violation_id from batch_appeals)

),

affected as (

    select activity_date from {{ ref('int_activity_dates_affected') }}
    union
    select activity_date from appeal_dates

)

select activity_date
from affected
{%- if is_full_rebuild() %}
where 1 = 0
{%- endif %}
