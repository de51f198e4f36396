{#- The daily review's findings: the rules of review_findings.yml (meta.rules), evaluated for every
    date of kpi_daily over the trailing window of each rule. A subject (a product category, a
    policy, a channel, a creator) is compared with the median of its peers, the other subjects of
    the same kind with at least the rule's minimum sample in the same window. Metrics follow
    kpi_daily's definitions. Small: rebuilt whole on every run from other marts, so re-runs,
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

    select activity_date as review_date
    from {{ ref('kpi_daily') }}

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
        {{ safe_ratio('sum(daily.numerator)', 'sum(daily.denominator)') }} as metric_value,
        coalesce(sum(daily.sample), 0) as sample
    from review_dates
    inner join {{ measures[rule.kind ~ '.' ~ rule.metric] }} as daily
        on
            daily.activity_date <= review_dates.review_date
            and daily.activity_date > {{ dbt.dateadd('day', -rule.window_days, 'review_dates.review_date') }}
    where daily.subject is not null
    group by review_dates.review_date, daily.subject
    having coalesce(sum(daily.sample), 0) >= {{ rule.min_sample }} and sum(daily.denominator) > 0

),

{{ rule.name }}_baselines as (

    {#- the median of the peers' values; at least 3 peers, or no baseline to compare with -#}
    select
        this_subject.review_date,
        this_subject.subject,
        percentile_cont(0.5) within group (order by peer.metric_value) as baseline,
        count(*) as peers
    from {{ rule.name }}_values as this_subject
    inner join {{ rule.name }}_values as peer
        on
            this_subject.review_date = peer.review_date
            and this_subject.subject != peer.subject
    group by this_subject.review_date, this_subject.subject
    having count(*) >= 3

),

{{ rule.name }}_findings as (

    select
        subject_values.review_date,
        '{{ rule.name }}' as rule_name,
        '{{ rule.kind }}' as subject_kind,
        subject_values.subject,
        '{{ rule.metric }}' as metric,
        subject_values.metric_value,
        cast(baselines.baseline as double) as baseline,
        '{{ rule.comparison }}' as comparison,
        cast({{ rule.threshold }} as double) as threshold,
        subject_values.sample,
        {{ rule.min_sample }} as min_sample,
        baselines.peers,
        {{ rule.window_days }} as window_days,
        '{{ rule.action | replace("'", "''") }}' as suggested_action
    from {{ rule.name }}_values as subject_values
    inner join {{ rule.name }}_baselines as baselines
        on
            subject_values.review_date = baselines.review_date
            and subject_values.subject = baselines.subject
    where subject_values.metric_value {{ '>=' if rule.comparison == 'above' else '<=' }} baselines.baseline * {{ rule.threshold }}

){% endfor %}

{% for rule in rules %}
    {% if not loop.first %}union all{% endif %}
    select * from {{ rule.name }}_findings
{% endfor %}
