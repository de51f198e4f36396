{#-
  The review's rules (review_findings.yml, meta.rules) as a relation, one row per rule, after
  checking each names a known kind and metric (`measures`: 'kind.metric' keys) and has every
  field: a broken rule stops the build naming the file, the rule and the field.
-#}
{% macro review_rules_relation(rules, measures) -%}
    {%- set where = "models/marts/review_findings.yml (meta.rules)" -%}
    {%- if execute and not rules -%}
        {{ exceptions.raise_compiler_error(where ~ ": no rules") }}
    {%- endif -%}
    {%- for rule in rules -%}
        {%- for field in ['name', 'kind', 'metric', 'comparison', 'threshold', 'min_sample', 'window_days', 'action'] -%}
            {%- if rule[field] is none -%}
                {{ exceptions.raise_compiler_error(where ~ ": rule " ~ loop.index ~ " has no " ~ field) }}
            {%- endif -%}
        {%- endfor -%}
        {%- if rule.kind ~ '.' ~ rule.metric not in measures -%}
            {{ exceptions.raise_compiler_error(where ~ ": rule " ~ rule.name ~ ": no metric " ~ rule.metric ~ " for kind " ~ rule.kind ~ " (known: " ~ (measures | join(", ")) ~ ")") }}
        {%- endif -%}
        {%- if rule.window_days is not number or rule.window_days < 1 -%}
            {{ exceptions.raise_compiler_error(where ~ ": rule " ~ rule.name ~ ": window_days must be a whole number of days, 1 or more") }}
        {%- endif -%}
        {%- if rule.comparison not in ['above', 'below'] -%}
            {{ exceptions.raise_compiler_error(where ~ ": rule " ~ rule.name ~ ": comparison must be above or below") }}
        {%- endif -%}
    {%- endfor -%}
    (
        values
        {%- for rule in rules %}
            (
                '{{ rule.name }}', '{{ rule.kind }}', '{{ rule.metric }}', '{{ rule.comparison }}',
                cast({{ rule.threshold }} as double), {{ rule.min_sample }}, cast({{ rule.get('min_expected', 0) }} as double),
                {{ rule.window_days }}, '{{ rule.action | replace("'", "''") }}'
            ){{ "," if not loop.last }}
        {%- endfor %}
    ) as rules (
        rule_name, subject_kind, metric, comparison, threshold, min_sample, min_expected, window_days, suggested_action
    )
{%- endmacro %}
