{#- Not merged by key like the feeds' models: each run replaces its delivery days whole. -#}
{{ config(
    incremental_strategy='replace_scope',
    scope_delivery_day_column='dt'
) }}

{#- The rejected line itself (`raw`) is not copied: it may hold PII in clear. So is the `detail`
    of an e-mail or phone field, which may echo the value. -#}

with source as (

    {{ lake_batch('ingestion', 'quarantine') }}

)

select
    cast(feed as varchar) as feed,
    cast(dt as date) as dt,
    cast(file as varchar) as file,
    cast(line as bigint) as line,
    cast(reason as varchar) as reason,
    cast(field as varchar) as field,
    case when field in ('email', 'phone') then null else cast(detail as varchar) end as detail,
    cast(file_sha256 as varchar) as file_sha256
from source
