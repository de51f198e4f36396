with source as (

    {{ lake_batch('tiktok', 'appeals') }}

),

batch as (

    select
        cast(appeal_id as varchar) as appeal_id,
        cast(violation_id as varchar) as violation_id,
        cast(submitted_at as timestamp) as submitted_at,
        cast(status as varchar) as status,
        cast(resolved_at as timestamp) as resolved_at,
        cast(update_time as timestamp) as update_time,
        cast(_dt as date) as _dt,
        cast(_file as varchar) as _file,
        cast(_line as bigint) as _line,
        coalesce(cast(_order_dt as date), cast(_dt as date)) as _order_dt,
        coalesce(cast(_order_file as varchar), cast(_file as varchar)) as _order_file,
        cast(_extra as varchar) as _extra
    from source

)

{{ latest_state(
    'batch',
    key='appeal_id',
    version='update_time',
    columns=['appeal_id', 'violation_id', 'submitted_at', 'status', 'resolved_at', 'update_time',
             '_dt', '_file', '_line', '_order_dt', '_order_file', '_extra']
) }}
