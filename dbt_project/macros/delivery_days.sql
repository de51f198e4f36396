{#-
  The batch of a run: the delivery days (UTC, 'YYYY-MM-DD') whose lake partitions it processes.

  Given as the dbt var `delivery_days` (a list, or a comma-separated string), or, when that var is
  not passed, as the environment variable CWH_DELIVERY_DAYS (comma-separated). No days at all
  (an empty list, an empty string, or neither given) means a full rebuild from every partition.

  Everything that depends on the days is decided at execution time, never while parsing, so one
  parsed manifest serves every day. (Changing `--vars` makes dbt re-parse the whole project, about
  3-4 s here; the environment variable keeps partial parsing.)
-#}

{% macro delivery_days() -%}
    {%- set days = var('delivery_days', none) -%}
    {%- if days is none -%}
        {%- set days = env_var('CWH_DELIVERY_DAYS', '') if execute else '' -%}
    {%- endif -%}
    {%- if days is string -%}
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
  Overrides dbt's should_full_refresh(): an incremental model is rebuilt from scratch when the
  run has no delivery days (a full rebuild), besides the usual --full-refresh / full_refresh config.
-#}
{% macro should_full_refresh() %}
    {%- set config_full_refresh = config.get('full_refresh') -%}
    {%- if config_full_refresh is none -%}
        {%- set config_full_refresh = flags.FULL_REFRESH -%}
    {%- endif -%}
    {%- do return(config_full_refresh or (execute and is_full_rebuild())) -%}
{% endmacro %}
