{#-
  The few list (array) and hash operations the incremental bookkeeping needs, behind dispatchable
  macros so another engine can supply its own syntax (Spark: collect_set, array_union, explode).
-#}

{#- aggregate: sorted distinct non-null values of an expression, [] when there are none -#}
{% macro collect_distinct(expression) -%}
    {{ return(adapter.dispatch('collect_distinct', 'creator_warehouse')(expression)) }}
{%- endmacro %}
{% macro default__collect_distinct(expression) -%}
    coalesce(list_sort(list(distinct {{ expression }}) filter (where {{ expression }} is not null)), [])
{%- endmacro %}

{#- sorted distinct union of two lists -#}
{% macro list_union(left, right) -%}
    {{ return(adapter.dispatch('list_union', 'creator_warehouse')(left, right)) }}
{%- endmacro %}
{% macro default__list_union(left, right) -%}
    list_sort(list_distinct(list_concat({{ left }}, {{ right }})))
{%- endmacro %}

{#- null when a list has at most one element (the "single value" encoding of the seen lists) -#}
{% macro null_if_single(list_expression) -%}
    {{ return(adapter.dispatch('null_if_single', 'creator_warehouse')(list_expression)) }}
{%- endmacro %}
{% macro default__null_if_single(list_expression) -%}
    case when len({{ list_expression }}) > 1 then {{ list_expression }} end
{%- endmacro %}

{#- the values of a seen list: the list itself, or else the single current value (none if null) -#}
{% macro seen_values(list_column, value_column) -%}
    {{ return(adapter.dispatch('seen_values', 'creator_warehouse')(list_column, value_column)) }}
{%- endmacro %}
{% macro default__seen_values(list_column, value_column) -%}
    coalesce({{ list_column }}, case when {{ value_column }} is null then [] else [{{ value_column }}] end)
{%- endmacro %}

{#- a FROM-clause item expanding a list into rows of table_alias.column_alias:
    `from t, {{ unnest_list('t.xs', 'each_x', 'x') }}` -#}
{% macro unnest_list(list_expression, table_alias, column_alias) -%}
    {{ return(adapter.dispatch('unnest_list', 'creator_warehouse')(list_expression, table_alias, column_alias)) }}
{%- endmacro %}
{% macro default__unnest_list(list_expression, table_alias, column_alias) -%}
    unnest({{ list_expression }}) as {{ table_alias }}({{ column_alias }})
{%- endmacro %}

{#- stable 64-bit hash of key columns (md5 based: unlike hash(), stable across engine versions) -#}
{% macro key_hash(columns, prefix='') -%}
    {{ return(adapter.dispatch('key_hash', 'creator_warehouse')(columns, prefix)) }}
{%- endmacro %}
{% macro default__key_hash(columns, prefix='') -%}
    cast(md5_number({% for c in columns %}coalesce({{ prefix }}{{ c }}, ''){{ " || chr(31) || " if not loop.last }}{% endfor %}) >> 64 as ubigint)
{%- endmacro %}

{#- a FROM-clause item: the rows of `relation` whose _key_hash is among those `key_hashes` (a query)
    returns. DuckDB reads a semi-join's every column before filtering, so a table of history would
    be read whole for a day's keys: it probes _key_hash alone for the row ids, then fetches those
    rows (a few columns of history read instead of all of them). -#}
{% macro rows_with_key_hashes(relation, key_hashes) -%}
    {{ return(adapter.dispatch('rows_with_key_hashes', 'creator_warehouse')(relation, key_hashes)) }}
{%- endmacro %}
{% macro default__rows_with_key_hashes(relation, key_hashes) -%}
    (select * from {{ relation }} where _key_hash in ({{ key_hashes }}))
{%- endmacro %}
{% macro duckdb__rows_with_key_hashes(relation, key_hashes) -%}
    (select * from {{ relation }} where rowid in (select rowid from {{ relation }} where _key_hash in ({{ key_hashes }})))
{%- endmacro %}

{#- A query: one row per combination of values a record of `relation` has ever had. `seen` maps
    each value column to its seen list (null while the record has had one value only); `carry`
    lists columns passed through as they are. Nearly every record has a single value everywhere
    and is read as it is; only the others expand their lists. -#}
{% macro seen_combinations(relation, seen, carry=[]) -%}
    {%- set expanded = [] %}
    {%- for value_column in seen %}{% do expanded.append('seen_' ~ loop.index ~ '.' ~ value_column) %}{% endfor %}
    {%- for column in carry %}{% do expanded.append('multi_valued.' ~ column) %}{% endfor %}
    select {{ (seen.keys() | list + carry) | join(', ') }}
    from {{ relation }}
    where {% for list_column in seen.values() %}{{ list_column }} is null{{ ' and ' if not loop.last }}{% endfor %}

    union all

    select {{ expanded | join(', ') }}
    from (
        select * from {{ relation }}
        where {% for list_column in seen.values() %}{{ list_column }} is not null{{ ' or ' if not loop.last }}{% endfor %}
    ) as multi_valued
    {%- for value_column, list_column in seen.items() %},
        {{ unnest_list(
            seen_values('multi_valued.' ~ list_column, 'multi_valued.' ~ value_column),
            'seen_' ~ loop.index, value_column
        ) }}
    {%- endfor %}
{%- endmacro %}
