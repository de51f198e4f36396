{#- Small: rebuilt on every run. -#}

with creators as (

    select * from {{ ref('stg_tiktok__creators') }}

),

first_orders as (

    {#- creator_daily has a row with orders > 0 exactly for the (creator, order_date) pairs of
        fct_order_items, so this is the earliest order_date in fct_order_items, read from the
        much smaller daily table. -#}
    select creator_open_id, min(activity_date) as first_order_date
    from {{ ref('creator_daily') }}
    where orders > 0
    group by creator_open_id

),

referenced_creators as (

    select creator_open_id from first_orders
    union
    select creator_open_id from {{ ref('stg_tiktok__links') }}
    union
    select creator_open_id from {{ ref('stg_tiktok__violations') }}

),

inferred_creators as (

    select creator_open_id
    from referenced_creators
    where creator_open_id not in (select creators.creator_open_id from creators)

),

known as (

    select
        creators.creator_open_id,
        creators.creator_user_id,
        creators.username,
        creators.email_sha256,
        creators.phone_sha256,
        creators.region,
        creators.follower_count,
        case
            when creators.follower_count < 10000 then 'NANO'
            when creators.follower_count < 100000 then 'MICRO'
            when creators.follower_count < 1000000 then 'MID'
            else 'MACRO'
        end as follower_tier,
        creators.chr_score,
        case
            when creators.chr_score >= 200 then 'HEALTHY'
            when creators.chr_score >= 151 then 'CAUTION'
            else 'UNHEALTHY'
        end as chr_band,
        cast(creators.joined_at as date) as joined_date,
        creators.snapshot_at,
        false as is_inferred
    from creators

),

inferred as (

    select
        creator_open_id,
        cast(null as varchar) as creator_user_id,
        cast(null as varchar) as username,
        cast(null as varchar) as email_sha256,
        cast(null as varchar) as phone_sha256,
        cast(null as varchar) as region,
        cast(null as bigint) as follower_count,
        cast(null as varchar) as follower_tier,
        cast(null as bigint) as chr_score,
        cast(null as varchar) as chr_band,
        cast(null as date) as joined_date,
        cast(null as timestamp) as snapshot_at,
        true as is_inferred
    from inferred_creators

),

all_creators as (

    select * from known
    union all
    select * from inferred

)

select
    all_creators.creator_open_id,
    all_creators.creator_user_id,
    all_creators.username,
    all_creators.email_sha256,
    all_creators.phone_sha256,
    all_creators.region,
    all_creators.follower_count,
    all_creators.follower_tier,
    all_creators.chr_score,
    all_creators.chr_band,
    all_creators.joined_date,
    first_orders.first_order_date,
    all_creators.is_inferred,
    all_creators.snapshot_at
from all_creators
left join first_orders
    on first_orders.creator_open_id = all_creators.creator_open_id
