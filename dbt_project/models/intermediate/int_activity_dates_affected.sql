{#-
  Scope of a batch run for the date-grained marts (offsite_program_daily, kpi_daily through
  int_kpi_dates_affected, int_order_items_aggregated_daily): whole UTC dates, recomputed completely.
    - every order_date any delivered version of a recomputed order line had (old and new);
    - every click date in int_link_days_affected;
    - every enforced_date any delivered version of a batch violation had.
  Empty on a full rebuild.
-#}

with affected_lines as (

    select order_lines.order_date, order_lines._order_dates_seen
    from {{ ref('stg_tiktok__affiliate_orders') }} as order_lines
    inner join {{ ref('int_order_items_affected') }} as affected
        on affected.order_id = order_lines.order_id
        and affected.sku_id = order_lines.sku_id

),

order_dates as (

    {{ seen_combinations('affected_lines', {'order_date': '_order_dates_seen'}) }}

),

click_dates as (

    select click_date as activity_date
    from {{ ref('int_link_days_affected') }}

),

batch_violations as (

    select enforced_date, _enforced_dates_seen
    from {{ ref('stg_tiktok__violations') }}
    where {{ delivery_day_filter('_dt') }}

),

enforced_dates as (

    {{ seen_combinations('batch_violations', {'enforced_date': '_enforced_dates_seen'}) }}

),

affected as (

    select order_date as activity_date from order_dates
    union
    select activity_date from click_dates
    union
    select enforced_date as activity_date from enforced_dates

)

select activity_date
from affected
{%- if is_full_rebuild() %}
where 1 = 0
{%- endif %}
