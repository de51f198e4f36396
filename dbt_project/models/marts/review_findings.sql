{#- The daily review's findings: the rules of review_findings.yml (meta.rules), evaluated for every
    delivery day over the trailing window of each rule. A subject (a product category, a
    policy, a channel, a creator) is compared with its peers: the same metric over every other
    subject of its kind together, in the same window. Metrics follow kpi_daily's definitions. Small: rebuilt whole on every run from other marts, so re-runs,
    replays and late data give the same rows. -#}

{%- set rules = config.get('meta', {}).get('rules', []) -%}

{#- Per kind and metric: the daily parts of the metric (value = sum(numerator) / sum(denominator)
    over the window) and the sample counted against the rule's minimum. -#}
{%- set measures = {
    'category.refund_rate': 'category_daily',
    'policy.violations_per_1k_orders': 'policy_daily',
    'channel.click_to_order_rate': 'channel_daily',
    'creator.click_to_order_rate': 'creator_daily_links',
} -%}
{%- if execute -%}
    {%- if not rules -%}
        {{ exceptions.raise_compiler_error("models/marts/review_findings.yml: meta.rules is empty") }}
    {%- endif -%}
    {%- for rule in rules -%}
        {%- for field in ['name', 'kind', 'metric', 'comparison', 'threshold', 'min_sample', 'window_days', 'action'] if rule[field] is none -%}
            {{ exceptions.raise_compiler_error("models/marts/review_findings.yml: rule " ~ loop.index ~ " has no " ~ field) }}
        {%- endfor -%}
        {%- if rule.kind ~ '.' ~ rule.metric not in measures -%}
            {{ exceptions.raise_compiler_error("models/marts/review_findings.yml: rule " ~ rule.name ~ ": no metric " ~ rule.metric ~ " for kind " ~ rule.kind ~ " (known: " ~ (measures.keys() | join(", ")) ~ ")") }}
        {%- endif -%}
        {%- if rule.comparison not in ['above', 'below'] -%}
            {{ exceptions.raise_compiler_error("models/marts/review_findings.yml: rule " ~ rule.name ~ ": comparison must be above or below") }}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with review_dates as (

    {#- Delivery days: every day delivers its own clicks. Earlier dates hold only late records
        (late refunds, re-sent clicks), too partial to compare, so windows start at the first. -#}
    select distinct _dt as review_date
    from {{ ref('stg_tiktok__link_clicks') }}

),

category_daily as (

    {#- refund_rate = 1 - net_gmv / gross_gmv = (gross_gmv - net_gmv) / gross_gmv; sample: order lines -#}
    select
        order_items.order_date as activity_date,
        products.category as subject,
        sum(order_items.gross_gmv - order_items.net_gmv) as numerator,
        sum(order_items.gross_gmv) as denominator,
        count(*) as sample
    from {{ ref('fct_order_items') }} as order_items
    inner join {{ ref('dim_products') }} as products
        on order_items.product_id = products.product_id
    group by order_items.order_date, products.category

),

policy_daily as (

    {#- violations_per_1k_orders = violations * 1000 / orders, over every date of the window
        (a policy without violations on a date still counts that date's orders); sample: violations -#}
    select
        kpi.activity_date,
        policies.policy_category as subject,
        governance.violations * 1000 as numerator,
        kpi.orders as denominator,
        governance.violations as sample
    from {{ ref('kpi_daily') }} as kpi
    cross join (select distinct policy_category from {{ ref('governance_daily') }}) as policies
    left join {{ ref('governance_daily') }} as governance
        on
            governance.enforced_date = kpi.activity_date
            and governance.policy_category = policies.policy_category

),

channel_daily as (

    {#- click_to_order_rate = attributed_orders / clicks; sample: clicks -#}
    select
        click_date as activity_date,
        channel as subject,
        sum(attributed_orders) as numerator,
        sum(clicks) as denominator,
        sum(clicks) as sample
    from {{ ref('link_funnel_daily') }}
    where channel is not null
    group by click_date, channel

),

creator_daily_links as (

    select
        click_date as activity_date,
        creator_open_id as subject,
        sum(attributed_orders) as numerator,
        sum(clicks) as denominator,
        sum(clicks) as sample
    from {{ ref('link_funnel_daily') }}
    where creator_open_id is not null
    group by click_date, creator_open_id

){% for rule in rules %},

{{ rule.name }}_values as (

    select
        review_dates.review_date,
        daily.subject,
        sum(daily.numerator) as numerator,
        sum(daily.denominator) as denominator,
        coalesce(sum(daily.sample), 0) as sample
    from review_dates
    inner join {{ measures[rule.kind ~ '.' ~ rule.metric] }} as daily
        on
            daily.activity_date <= review_dates.review_date
            and daily.activity_date > {{ dbt.dateadd('day', -rule.window_days, 'review_dates.review_date') }}
    where
        daily.subject is not null
        and daily.activity_date >= (select min(first_day.review_date) from review_dates as first_day)
    group by review_dates.review_date, daily.subject

),

{{ rule.name }}_compared as (

    {#- the baseline: the metric over every other subject of the kind together (for policies,
        whose denominator is the same orders, the mean of the other policies' rates) -#}
    select
        review_date,
        subject,
        sample,
        {{ safe_ratio('numerator', 'denominator') }} as metric_value,
        {{ safe_ratio(
            'sum(numerator) over (partition by review_date) - numerator',
            'sum(denominator) over (partition by review_date) - denominator'
        ) }} as baseline,
        count(*) over (partition by review_date) - 1 as peers
    from {{ rule.name }}_values

),

{{ rule.name }}_findings as (

    select
        review_date,
        '{{ rule.name }}' as rule_name,
        '{{ rule.kind }}' as subject_kind,
        subject,
        '{{ rule.metric }}' as metric,
        metric_value,
        baseline,
        '{{ rule.comparison }}' as comparison,
        cast({{ rule.threshold }} as double) as threshold,
        sample,
        {{ rule.min_sample }} as min_sample,
        sample * baseline as expected_at_baseline,
        peers,
        {{ rule.window_days }} as window_days,
        '{{ rule.action | replace("'", "''") }}' as suggested_action
    from {{ rule.name }}_compared
    where
        sample >= {{ rule.min_sample }}
        and peers >= 3
        and sample * baseline >= {{ rule.get('min_expected', 0) }}
        {%- if rule.comparison == 'above' %}
        and metric_value > baseline and metric_value >= baseline * {{ rule.threshold }}
        {%- else %}
        and metric_value < baseline and metric_value <= baseline * {{ rule.threshold }}
        {%- endif %}

){% endfor %}

{% for rule in rules %}
    {% if not loop.first %}union all{% endif %}
    select * from {{ rule.name }}_findings
{% endfor %}
