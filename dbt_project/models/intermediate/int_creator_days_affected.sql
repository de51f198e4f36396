{#-
  Scope of a batch run for creator_daily: the (creator_open_id, activity_date) rows to recompute.
  Late data reaches back over every earlier date (an order update up to 60 days late), but only a
  few creators on each: recomputing whole dates would re-read the whole history every day.
    - every (creator, order date) any delivered version of a recomputed order line had;
    - every (owner, click date) of the link-days whose clicks were recounted (int_link_days_affected:
      the owners any delivered version of the link had);
    - every (creator, enforced date) any delivered version of a batch violation had.
  Empty on a full rebuild.
-#}

with affected_lines as (

    select
        order_lines.creator_open_id,
        order_lines.order_date,
        order_lines._creator_open_ids_seen,
        order_lines._order_dates_seen
    from {{ ref('stg_tiktok__affiliate_orders') }} as order_lines
    inner join {{ ref('int_order_items_affected') }} as affected
        on affected.order_id = order_lines.order_id
        and affected.sku_id = order_lines.sku_id

),

recounted_link_days as (

    select links.creator_open_id, links._creator_open_ids_seen, link_days.click_date
    from {{ ref('int_link_days_affected') }} as link_days
    inner join {{ ref('stg_tiktok__links') }} as links
        on links.link_id = link_days.link_id
    where link_days.recount_clicks

),

batch_violations as (

    select creator_open_id, enforced_date, _creator_open_ids_seen, _enforced_dates_seen
    from {{ ref('stg_tiktok__violations') }}
    where {{ delivery_day_filter('_dt') }}

),

line_days as (

    {{ seen_combinations(
        'affected_lines', {'creator_open_id': '_creator_open_ids_seen', 'order_date': '_order_dates_seen'}
    ) }}

),

link_days as (

    {{ seen_combinations('recounted_link_days', {'creator_open_id': '_creator_open_ids_seen'}, carry=['click_date']) }}

),

violation_days as (

    {{ seen_combinations(
        'batch_violations', {'creator_open_id': '_creator_open_ids_seen', 'enforced_date': '_enforced_dates_seen'}
    ) }}

),

affected as (

    select creator_open_id, order_date as activity_date from line_days
    union all
    select creator_open_id, click_date as activity_date from link_days
    union all
    select creator_open_id, enforced_date as activity_date from violation_days

)

select distinct creator_open_id, activity_date
from affected
where
    creator_open_id is not null
    and activity_date is not null
    {%- if is_full_rebuild() %}
    and 1 = 0
    {%- endif %}
