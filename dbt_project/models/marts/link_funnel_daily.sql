{{ config(
    materialized='incremental',
    incremental_strategy='replace_scope',
    scope_model='int_link_days_affected',
    scope_columns=['link_id', 'click_date']
) }}
-- depends_on: {{ ref('int_link_days_affected') }}

with clicks as (

    {#- staging holds each event_id once, so counting rows counts distinct clicks -#}
    select event_id, link_id, click_date, device_id, app_installed
    from {{ ref('stg_tiktok__link_clicks') }} as clicks  -- noqa: AL05
    {%- if is_incremental() %}
    where {{ in_scope_values('click_date', 'int_link_days_affected', 'click_date', where='recount_clicks') }}
        and exists (
            select 1
            from {{ ref('int_link_days_affected') }} as affected
            where affected.recount_clicks
                and affected.link_id = clicks.link_id
                and affected.click_date = clicks.click_date
        )
    {%- endif %}

),

device_measures as (

    {#- two plain aggregations instead of one count(distinct): each spills to disk beyond the
        memory limit, where a distinct aggregate over ~1M clicks a day holds its sets in memory -#}
    select
        link_id,
        click_date,
        device_id,
        count(*) as clicks,
        sum(case when app_installed then 1 else 0 end) as app_installed_clicks
    from clicks
    group by link_id, click_date, device_id

),

click_measures as (

    select
        link_id,
        click_date,
        cast(sum(clicks) as bigint) as clicks,
        count(device_id) as unique_clickers,
        cast(sum(app_installed_clicks) as bigint) as app_installed_clicks
    from device_measures
    group by link_id, click_date
    {%- if is_incremental() %}

    union all

    {#- rows whose clicks and link did not change (only their attribution did, through a late order
        update traced to an old click): their stored click measures stand, like every row outside
        the scope, and months-old clicks are not read again #}
    select kept.link_id, kept.click_date, kept.clicks, kept.unique_clickers, kept.app_installed_clicks
    from {{ this }} as kept
    where {{ in_scope_values('kept.click_date', 'int_link_days_affected', 'click_date', where='not recount_clicks') }}
        and exists (
            select 1
            from {{ ref('int_link_days_affected') }} as affected
            where not affected.recount_clicks
                and affected.link_id = kept.link_id
                and affected.click_date = kept.click_date
        )
    {%- endif %}

),

attributed_lines as (

    select
        link_id,
        cast(attributed_clicked_at as date) as click_date,
        order_id,
        gross_gmv
    from {{ ref('fct_order_items') }}
    where is_attributed_click
    {%- if is_incremental() %}
        and {{ in_scope_values('cast(attributed_clicked_at as date)', 'int_link_days_affected', 'click_date') }}
    {%- endif %}

),

attributed as (

    select
        link_id,
        click_date,
        count(distinct order_id) as attributed_orders,
        sum(gross_gmv) as attributed_gmv
    from attributed_lines
    group by link_id, click_date

),

links as (

    select link_id, creator_open_id, product_id, channel
    from {{ ref('stg_tiktok__links') }}

)

select
    click_measures.link_id,
    click_measures.click_date,
    links.creator_open_id,
    links.product_id,
    links.channel,
    click_measures.clicks,
    click_measures.unique_clickers,
    click_measures.app_installed_clicks,
    coalesce(attributed.attributed_orders, 0) as attributed_orders,
    cast(coalesce(attributed.attributed_gmv, 0) as decimal(18, 2)) as attributed_gmv,
    {{ safe_ratio('coalesce(attributed.attributed_orders, 0)', 'click_measures.unique_clickers') }} as conversion_rate
from click_measures
left join attributed
    on attributed.link_id = click_measures.link_id
    and attributed.click_date = click_measures.click_date
left join links
    on links.link_id = click_measures.link_id
