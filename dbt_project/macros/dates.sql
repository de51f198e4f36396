{#- a date as a whole number of days (since 1970-01-01): window arithmetic and range frames over
    integers read the same on every engine -#}
{% macro day_number(date_expression) -%}
    {{ dbt.datediff("cast('1970-01-01' as date)", date_expression, 'day') }}
{%- endmacro %}
