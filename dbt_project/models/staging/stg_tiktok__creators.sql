with source as (

    {{ lake_batch('tiktok', 'creators') }}

),

batch as (

    select
        cast(creator_open_id as varchar) as creator_open_id,
        cast(creator_user_id as varchar) as creator_user_id,
        cast(username as varchar) as username,
        {{ email_sha256('email') }} as email_sha256,
        {{ phone_sha256('phone') }} as phone_sha256,
        cast(region as varchar) as region,
        cast(follower_count as bigint) as follower_count,
        cast(chr_score as bigint) as chr_score,
        permissions,
        cast(joined_at as timestamp) as joined_at,
        cast(snapshot_at as timestamp) as snapshot_at,
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
    key='creator_open_id',
    version='snapshot_at',
    columns=['creator_open_id', 'creator_user_id', 'username', 'email_sha256', 'phone_sha256', 'region',
             'follower_count', 'chr_score', 'permissions', 'joined_at', 'snapshot_at',
             '_dt', '_file', '_line', '_order_dt', '_order_file', '_extra']
) }}
