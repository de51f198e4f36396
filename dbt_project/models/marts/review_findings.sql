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
    -- Exact types (decimals, integers): a window's sum does not depend on the order it adds rows.
    -- refund_rate = 1 - net_gmv / gross_gmv = (gross_gmv - net_gmv) / gross_gmv; sample: order lines
    select
        'category' as subject_kind,
        'refund_rate' as metric,
        order_items.order_date as activity_date,
        products.category as subject,
        cast(sum(order_items.gross_gmv - order_items.net_gmv) as decimal(38, 2)) as numerator,
        cast(sum(order_items.gross_gmv) as decimal(38, 2)) as denominator,
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
        cast(coalesce(governance.violations, 0) * 1000 as decimal(38, 2)) as numerator,
        cast(kpi.orders as decimal(38, 2)) as denominator,
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
        cast(sum(attributed_orders) as decimal(38, 2)) as numerator,
        cast(sum(clicks) as decimal(38, 2)) as denominator,
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
        cast(sum(attributed_orders) as decimal(38, 2)) as numerator,
        cast(sum(clicks) as decimal(38, 2)) as denominator,
        sum(clicks) as sample_size
    from {{ ref('link_funnel_daily') }}
    where creator_open_id is not null
    group by click_date, creator_open_id

),

rule_measures as (

    {#- each rule's measures from the first review date on, dated by day number for window arithmetic -#}
    select
        rules.rule_name,
        rules.window_days,
        measures.subject,
        {{ day_number('measures.activity_date') }} as day_number,
        measures.numerator,
        measures.denominator,
        measures.sample_size
    from rules
    inner join measures
        on measures.subject_kind = rules.subject_kind
        and measures.metric = rules.metric
    where measures.activity_date >= (select min(first_day.review_date) from review_dates as first_day)

),

review_days as (

    select review_date, {{ day_number('review_date') }} as day_number
    from review_dates

),

date_totals as (

    select rule_name, window_days, day_number, sum(numerator) as numerator, sum(denominator) as denominator
    from rule_measures
    group by rule_name, window_days, day_number

),

window_totals as (

    {#- every subject of the kind together, over the window ending on each review date -#}
    select
        date_totals.rule_name,
        review_days.review_date,
        sum(date_totals.numerator) as numerator,
        sum(date_totals.denominator) as denominator
    from date_totals
    inner join review_days
        on review_days.day_number >= date_totals.day_number
        and review_days.day_number < date_totals.day_number + date_totals.window_days
    group by date_totals.rule_name, review_days.review_date

),

subject_days as (

    {#- Per subject and date (one sort per rule): the previous date the subject has, and its sample
        over the window ending on this date. A window ending on a review date without a row of the
        subject holds no more than the window ending on its last row before, so a subject whose
        trailing samples all stay below min_sample can never reach it. -#}
    {%- for rule in rules %}
    select
        rule_name,
        window_days,
        subject,
        day_number,
        lag(day_number) over (partition by subject order by day_number) as previous_day,
        sum(sample_size) over (
            partition by subject order by day_number
            range between {{ (rule.window_days | int) - 1 }} preceding and current row
        ) as trailing_sample
    from rule_measures
    where rule_name = '{{ rule.name }}'
    {{- "\n\n    union all\n" if not loop.last }}
    {%- endfor %}

),

coverage_changes as (

    {#- A subject is a peer on every review date within window_days after one of its dates. Each date
        adds the days [its date, its date + window_days) not covered by the subject's previous date:
        +1 where they start, -1 where they end. -#}
    select
        rule_name,
        greatest(day_number, coalesce(previous_day + window_days, day_number)) as day_number,
        1 as peers_change
    from subject_days

    union all

    select rule_name, day_number + window_days as day_number, -1 as peers_change
    from subject_days

),

peer_counts as (

    {#- subjects with a row in the window ending on each review date -#}
    select changes.rule_name, review_days.review_date, sum(changes.peers_change) as subjects
    from (
        select rule_name, day_number, sum(peers_change) as peers_change
        from coverage_changes
        group by rule_name, day_number
    ) as changes
    inner join review_days
        on review_days.day_number >= changes.day_number
    group by changes.rule_name, review_days.review_date

),

candidates as (

    select distinct subject_days.rule_name, subject_days.subject
    from subject_days
    inner join rules
        on rules.rule_name = subject_days.rule_name
    where subject_days.trailing_sample >= rules.min_sample

),

candidate_measures as (

    select rule_measures.*
    from rule_measures
    inner join candidates
        on candidates.rule_name = rule_measures.rule_name
        and candidates.subject = rule_measures.subject

),

windowed as (

    {#- each candidate's metric over the window_days dates ending on each review date -#}
    select
        candidate_measures.rule_name,
        review_days.review_date,
        candidate_measures.subject,
        sum(candidate_measures.numerator) as numerator,
        sum(candidate_measures.denominator) as denominator,
        sum(candidate_measures.sample_size) as sample_size
    from candidate_measures
    inner join review_days
        on review_days.day_number >= candidate_measures.day_number
        and review_days.day_number < candidate_measures.day_number + candidate_measures.window_days
    group by candidate_measures.rule_name, review_days.review_date, candidate_measures.subject

),

compared as (

    {#- the baseline: the metric over every other subject of the kind together (for policies,
        whose denominator is the same orders, the mean of the other policies' rates) -#}
    select
        windowed.rule_name,
        windowed.review_date,
        windowed.subject,
        windowed.sample_size,
        {{ safe_ratio('windowed.numerator', 'windowed.denominator') }} as metric_value,
        {{ safe_ratio(
            'window_totals.numerator - windowed.numerator',
            'window_totals.denominator - windowed.denominator'
        ) }} as baseline,
        peer_counts.subjects - 1 as peers
    from windowed
    inner join window_totals
        on window_totals.rule_name = windowed.rule_name
        and window_totals.review_date = windowed.review_date
    inner join peer_counts
        on peer_counts.rule_name = windowed.rule_name
        and peer_counts.review_date = windowed.review_date

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
