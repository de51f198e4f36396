with source as (

    {{ lake_batch('tiktok', 'affiliate_orders') }}

),

batch as (

    select
        cast(order_id as varchar) as order_id,
        cast(sku_id as varchar) as sku_id,
        cast(creator_open_id as varchar) as creator_open_id,
        cast(product_id as varchar) as product_id,
        cast(shop_id as varchar) as shop_id,
        cast(content_type as varchar) as content_type,
        cast(content_id as varchar) as content_id,
        cast(trace_event_id as varchar) as trace_event_id,
        cast(quantity as bigint) as quantity,
        cast(unit_price as decimal(18, 2)) as unit_price,
        cast(currency as varchar) as currency,
        cast(commission_rate as bigint) as commission_rate,
        cast(status as varchar) as status,
        cast(refunded_quantity as bigint) as refunded_quantity,
        cast(created_at as timestamp) as created_at,
        cast(created_at as date) as order_date,
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
    key=['order_id', 'sku_id'],
    version='update_time',
    columns=['order_id', 'sku_id', 'creator_open_id', 'product_id', 'shop_id', 'content_type', 'content_id',
             'trace_event_id', 'quantity', 'unit_price', 'currency', 'commission_rate', 'status',
             'refunded_quantity', 'created_at', 'order_date', 'update_time', '_dt', '_file', '_line', '_order_dt', '_order_file', '_extra'],
    seen={'_order_dates_seen': 'order_date', '_trace_event_ids_seen': 'trace_event_id',
          '_creator_open_ids_seen': 'creator_open_id'}
) }}
