{#- Small: rebuilt on every run from the quarantine records of the processed delivery days.
    A rejected line re-delivered in a later file with the same bytes is the same line: it counts
    once, on the earliest delivery day that holds it, whatever order the days ran in. -#}

with first_deliveries as (

    select feed, dt, reason
    from {{ ref('stg_ingestion__quarantined_records') }}
    qualify
        row_number() over (
            partition by feed, coalesce(file_sha256, cast(dt as varchar) || '/' || file), line
            order by dt, file
        ) = 1

)

select
    feed,
    dt,
    reason,
    count(*) as records
from first_deliveries
group by feed, dt, reason
