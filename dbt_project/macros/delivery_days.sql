{#-
  The batch of a run: the delivery days passed as `--vars '{"delivery_days": [...]}'`.
  An empty list means a full rebuild from every partition of the lake.
-#}

{% macro delivery_days() -%}
    {%- set days = var('delivery_days', []) -%}
    {%- if days is string -%}
        {#- tolerate a single day or a comma-separated string -#}
        {%- set days = days.split(',') | map('trim') | reject('equalto', '') | list -%}
    {%- endif -%}
    {%- for day in days -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', day | string) -%}
            {{ exceptions.raise_compiler_error("delivery_days: '" ~ day ~ "' is not a YYYY-MM-DD date") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(days | map('string') | unique | sort | list) }}
{%- endmacro %}


{% macro is_full_rebuild() -%}
    {{ return(delivery_days() | length == 0) }}
{%- endmacro %}


{#- A predicate selecting the rows (or hive partitions) of the batch; always true on a full rebuild. -#}
{% macro delivery_day_filter(column) -%}
    {%- set days = delivery_days() -%}
    {%- if days | length == 0 -%}
        1 = 1
    {%- else -%}
        {{ column }} in ({% for day in days %}cast('{{ day }}' as date){{ ', ' if not loop.last }}{% endfor %})
    {%- endif -%}
{%- endmacro %}


{#-
  The `where` of the data tests of an incremental model: on a batch run they test the rows the
  run wrote (so a day's test cost does not grow with history), on a full rebuild the whole table.
  `scope_model`/`scope_columns`: rows whose scope key is in that intermediate scope model;
  `column`: rows whose delivery day column is in the batch.
-#}
{% macro test_scope(column=none, scope_model=none, scope_columns=none) -%}
    {%- if is_full_rebuild() -%}
        1 = 1
    {%- elif scope_model is not none -%}
        ({{ scope_columns | join(', ') }}) in (select {{ scope_columns | join(', ') }} from {{ target.schema }}.{{ scope_model }})
    {%- else -%}
        {{ delivery_day_filter(column) }}
    {%- endif -%}
{%- endmacro %}
