with source as (

    {{ lake_batch('tiktok', 'links') }}

),

batch as (

    select
        cast(link_id as varchar) as link_id,
        cast(creator_open_id as varchar) as creator_open_id,
        cast(product_id as varchar) as product_id,
        cast(channel as varchar) as channel,
        cast(created_at as timestamp) as created_at,
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
    key='link_id',
    columns=['link_id', 'creator_open_id', 'product_id', 'channel', 'created_at',
             '_dt', '_file', '_line', '_order_dt', '_order_file', '_extra'],
    seen={'_creator_open_ids_seen': 'creator_open_id', '_product_ids_seen': 'product_id', '_channels_seen': 'channel'},
    first_delivery=true
) }}
