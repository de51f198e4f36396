{#- The daily review's findings: the rules of review_findings.yml (meta.rules) evaluated for every
    delivery day over each rule's trailing window. A subject (a product category, a policy, a
    channel, a creator) is compared with its peers: the same metric over every other subject of
    its kind together, in the same window. Metrics follow kpi_daily's definitions. Small: rebuilt
    whole on every run from other marts, so re-runs, replays and late data give the same rows. -#}

{%- set rules = config.get('meta', {}).get('rules', []) -%}

with rules as (

    select * from {{ review_rules_relation(rules, [
        'category.refund_rate',
        'policy.violations_per_1k_orders',
        'channel.click_to_order_rate',
        'creator.click_to_order_rate',
    ]) }}

),

review_dates as (

    {#- Delivery days: every day delivers its own clicks. Earlier dates hold only late records
        (late refunds, re-sent clicks), too partial to compare, so windows start at the first. -#}
    select distinct _dt as review_date
    from {{ ref('stg_tiktok__link_clicks') }}

),

policies as (

    select distinct policy_category
    from {{ ref('governance_daily') }}

),

measures as (

    -- Per kind and metric, by date: the parts of the metric (its value over a window is
    -- sum(numerator) / sum(denominator)) and the sample counted against the rule's minimum.
    -- refund_rate = 1 - net_gmv / gross_gmv = (gross_gmv - net_gmv) / gross_gmv; sample: order lines
    select
        'category' as subject_kind,
        'refund_rate' as metric,
        order_items.order_date as activity_date,
        products.category as subject,
        cast(sum(order_items.gross_gmv - order_items.net_gmv) as double) as numerator,
        cast(sum(order_items.gross_gmv) as double) as denominator,
        count(*) as sample_size
    from {{ ref('fct_order_items') }} as order_items
    inner join {{ ref('dim_products') }} as products
        on products.product_id = order_items.product_id
    group by order_items.order_date, products.category

    union all

    -- violations_per_1k_orders = violations * 1000 / orders, over every date of the window (a
    -- policy without violations on a date still counts that date's orders); sample: violations
    select
        'policy' as subject_kind,
        'violations_per_1k_orders' as metric,
        kpi.activity_date,
        policies.policy_category as subject,
        cast(coalesce(governance.violations, 0) * 1000 as double) as numerator,
        cast(kpi.orders as double) as denominator,
        coalesce(governance.violations, 0) as sample_size
    from {{ ref('kpi_daily') }} as kpi
    cross join policies
    left join {{ ref('governance_daily') }} as governance
        on governance.enforced_date = kpi.activity_date
        and governance.policy_category = policies.policy_category

    union all

    -- click_to_order_rate = attributed_orders / clicks, by channel and by creator; sample: clicks
    select
        'channel' as subject_kind,
        'click_to_order_rate' as metric,
        click_date as activity_date,
        channel as subject,
        cast(sum(attributed_orders) as double) as numerator,
        cast(sum(clicks) as double) as denominator,
        sum(clicks) as sample_size
    from {{ ref('link_funnel_daily') }}
    where channel is not null
    group by click_date, channel

    union all

    select
        'creator' as subject_kind,
        'click_to_order_rate' as metric,
        click_date as activity_date,
        creator_open_id as subject,
        cast(sum(attributed_orders) as double) as numerator,
        cast(sum(clicks) as double) as denominator,
        sum(clicks) as sample_size
    from {{ ref('link_funnel_daily') }}
    where creator_open_id is not null
    group by click_date, creator_open_id

),

windowed as (

    {#- each rule's metric per subject over the window_days dates ending on each review date -#}
    select
        rules.rule_name,
        review_dates.review_date,
        measures.subject,
        sum(measures.numerator) as numerator,
        sum(measures.denominator) as denominator,
        sum(measures.sample_size) as sample_size
    from rules
    inner join measures
        on measures.subject_kind = rules.subject_kind
        and measures.metric = rules.metric
    inner join review_dates
        on review_dates.review_date >= measures.activity_date
        and review_dates.review_date < {{ dbt.dateadd('day', 'rules.window_days', 'measures.activity_date') }}
    where measures.activity_date >= (select min(first_day.review_date) from review_dates as first_day)
    group by rules.rule_name, review_dates.review_date, measures.subject

),

compared as (

    {#- the baseline: the metric over every other subject of the kind together (for policies,
        whose denominator is the same orders, the mean of the other policies' rates) -#}
    select
        rule_name,
        review_date,
        subject,
        sample_size,
        {{ safe_ratio('numerator', 'denominator') }} as metric_value,
        {{ safe_ratio(
            'sum(numerator) over (partition by rule_name, review_date) - numerator',
            'sum(denominator) over (partition by rule_name, review_date) - denominator'
        ) }} as baseline,
        count(*) over (partition by rule_name, review_date) - 1 as peers
    from windowed

)

select
    compared.review_date,
    rules.rule_name,
    rules.subject_kind,
    compared.subject,
    rules.metric,
    compared.metric_value,
    compared.baseline,
    rules.comparison,
    rules.threshold,
    compared.sample_size,
    rules.min_sample,
    compared.sample_size * compared.baseline as expected_at_baseline,
    compared.peers,
    rules.window_days,
    rules.suggested_action
from compared
inner join rules
    on rules.rule_name = compared.rule_name
where
    compared.sample_size >= rules.min_sample
    and compared.peers >= 3
    and compared.sample_size * compared.baseline >= rules.min_expected
    and (
        (
            rules.comparison = 'above'
            and compared.metric_value > compared.baseline
            and compared.metric_value >= compared.baseline * rules.threshold
        )
        or (
            rules.comparison = 'below'
            and compared.metric_value < compared.baseline
            and compared.metric_value <= compared.baseline * rules.threshold
        )
    )
