with source as (

    {{ lake_batch('tiktok', 'link_clicks') }}

),

batch as (

    select
        cast(event_id as varchar) as event_id,
        cast(link_id as varchar) as link_id,
        cast(clicked_at as timestamp) as clicked_at,
        cast(clicked_at as date) as click_date,
        cast(device_type as bigint) as device_type,
        cast(device_id as varchar) as device_id,
        cast(referrer_src as varchar) as referrer_src,
        cast(app_installed as boolean) as app_installed,
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
    key='event_id',
    columns=['event_id', 'link_id', 'clicked_at', 'click_date', 'device_type', 'device_id', 'referrer_src',
             'app_installed', '_dt', '_file', '_line', '_order_dt', '_order_file', '_extra'],
    seen={'_link_ids_seen': 'link_id', '_click_dates_seen': 'click_date'}
) }}
