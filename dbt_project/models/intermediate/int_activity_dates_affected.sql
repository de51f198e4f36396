{#-
  Scope of a batch run for the date-grained marts (creator_daily, offsite_program_daily,
  int_order_items_aggregated_daily): whole UTC dates, recomputed completely.
    - every order_date any delivered version of a recomputed order line had (old and new);
    - every click date in int_link_days_affected;
    - every enforced_date any delivered version of a batch violation had.
  Empty on a full rebuild.
-#}

with order_dates as (

    select seen_dates.order_date as activity_date
    from {{ ref('stg_tiktok__affiliate_orders') }} as order_lines,
        {{ unnest_list(seen_values('order_lines._order_dates_seen', 'order_lines.order_date'), 'seen_dates', 'order_date') }}
    where exists (
        select 1
        from {{ ref('int_order_items_affected') }} as affected
        where affected.order_id = order_lines.order_id
            and affected.sku_id = order_lines.sku_id
    )

),

click_dates as (

    select click_date as activity_date
    from {{ ref('int_link_days_affected') }}

),

enforced_dates as (

    select seen_dates.enforced_date as activity_date
    from {{ ref('stg_tiktok__violations') }} as violations,
        {{ unnest_list(seen_values('violations._enforced_dates_seen', 'violations.enforced_date'), 'seen_dates', 'enforced_date') }}
    where {{ delivery_day_filter('violations._dt') }}

),

affected as (

    select activity_date from order_dates
    union
    select activity_date from click_dates
    union
    select activity_date from enforced_dates

)

select activity_date
from affected
{%- if is_full_rebuild() %}
where 1 = 0
{%- endif %}
