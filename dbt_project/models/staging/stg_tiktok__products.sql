with source as (

    {{ lake_batch('tiktok', 'products') }}

),

batch as (

    select
        cast(product_id as varchar) as product_id,
        cast(shop_id as varchar) as shop_id,
        cast(title as varchar) as title,
        cast(category as varchar) as category,
        cast(price as decimal(18, 2)) as price,
        cast(commission_rate as bigint) as commission_rate,
        cast(updated_at as timestamp) as updated_at,
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
    key='product_id',
    version='updated_at',
    columns=['product_id', 'shop_id', 'title', 'category', 'price', 'commission_rate', 'updated_at',
             '_dt', '_file', '_line', '_order_dt', '_order_file', '_extra']
) }}
