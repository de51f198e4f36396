{#-
  The few list (array) operations the incremental bookkeeping needs, behind dispatchable macros
  so another engine can supply its own syntax (Spark: collect_set, array_union, explode).
-#}

{#- aggregate: sorted distinct non-null values of an expression, [] when there are none -#}
{% macro collect_distinct(expression) -%}
    {{ return(adapter.dispatch('collect_distinct', 'creator_warehouse')(expression)) }}
{%- endmacro %}
{% macro default__collect_distinct(expression) -%}
    coalesce(list_sort(list(distinct {{ expression }}) filter (where {{ expression }} is not null)), [])
{%- endmacro %}

{#- aggregate: sorted union of a list column over the rows of a group -#}
{% macro merge_distinct_lists(column) -%}
    {{ return(adapter.dispatch('merge_distinct_lists', 'creator_warehouse')(column)) }}
{%- endmacro %}
{% macro default__merge_distinct_lists(column) -%}
    coalesce(list_sort(list_distinct(flatten(list({{ column }})))), [])
{%- endmacro %}

{#- a FROM-clause item expanding a list column into rows of table_alias.column_alias:
    `from t, {{ unnest_list('t.xs', 'each_x', 'x') }}` -#}
{% macro unnest_list(list_column, table_alias, column_alias) -%}
    {{ return(adapter.dispatch('unnest_list', 'creator_warehouse')(list_column, table_alias, column_alias)) }}
{%- endmacro %}
{% macro default__unnest_list(list_column, table_alias, column_alias) -%}
    unnest({{ list_column }}) as {{ table_alias }}({{ column_alias }})
{%- endmacro %}
