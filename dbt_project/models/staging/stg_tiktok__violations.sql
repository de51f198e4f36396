with source as (

    {{ lake_batch('tiktok', 'violations') }}

),

typed as (

    select
        cast(violation_id as varchar) as violation_id,
        cast(creator_open_id as varchar) as creator_open_id,
        cast(content_id as varchar) as content_id,
        cast(policy_category as varchar) as policy_category,
        cast(severity as bigint) as severity,
        cast(chr_delta as bigint) as chr_delta,
        cast(enforcement_action as varchar) as enforcement_action,
        cast(detected_at as timestamp) as detected_at,
        cast(enforced_local as varchar) as enforced_local,
        {{ los_angeles_to_utc('cast(enforced_local as timestamp)') }} as enforced_at,
        cast(_dt as date) as _dt,
        cast(_file as varchar) as _file,
        cast(_line as bigint) as _line,
        coalesce(cast(_order_dt as date), cast(_dt as date)) as _order_dt,
        coalesce(cast(_order_file as varchar), cast(_file as varchar)) as _order_file,
        cast(_extra as varchar) as _extra
    from source

),

batch as (

    select *, cast(enforced_at as date) as enforced_date
    from typed

)

{{ latest_state(
    'batch',
    key='violation_id',
    columns=['violation_id', 'creator_open_id', 'content_id', 'policy_category', 'severity', 'chr_delta',
             'enforcement_action', 'detected_at', 'enforced_local', 'enforced_at', 'enforced_date',
             '_dt', '_file', '_line', '_order_dt', '_order_file', '_extra'],
    seen={'_enforced_dates_seen': 'enforced_date', '_creator_open_ids_seen': 'creator_open_id'}
) }}
