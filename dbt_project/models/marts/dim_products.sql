{#- Small: rebuilt on every run from the latest state of every product. -#}

with products as (

    select * from {{ ref('stg_tiktok__products') }}

)

select
    product_id,
    shop_id,
    title,
    category,
    price,
    commission_rate,
    updated_at
from products
