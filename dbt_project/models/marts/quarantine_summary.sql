{#- Small: rebuilt on every run from the quarantine records of the processed delivery days. -#}

select
    feed,
    dt,
    reason,
    count(*) as records
from {{ ref('stg_ingestion__quarantined_records') }}
group by feed, dt, reason
