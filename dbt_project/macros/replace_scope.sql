{#-
  Incremental strategy `replace_scope`: delete every target row inside the run's scope, then
  insert the model's freshly recomputed rows for that scope, in one transaction (dbt-duckdb wraps
  the model's main statement in BEGIN ... COMMIT).

  Unlike delete+insert on a unique key, rows of a scope that no longer produces any output (a
  click moved to another link or day) are removed too. The scope is deterministic for a batch
  (derived from the batch and the staging tables, never from this table), so a run killed at any
  point converges when it is run again.

  Model config:
    scope_model:   an intermediate model listing the scope keys (declare it with `-- depends_on:`)
    scope_columns: the key columns, a list (same names in scope model and target) or a mapping
                   {target column: scope model column}
  or
    scope_delivery_day_column: a column of the target; the scope is the run's delivery days
-#}
{% macro get_incremental_replace_scope_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set scope_model = config.get('scope_model') -%}
    {%- set scope_columns = config.get('scope_columns') -%}
    {%- set scope_day_column = config.get('scope_delivery_day_column') -%}
    {%- if scope_model and scope_columns -%}
        {%- set scope_relation = ref(scope_model) -%}
        {%- if scope_columns is mapping -%}
            {%- set column_pairs = scope_columns.items() | list -%}
        {%- else -%}
            {%- set column_pairs = [] -%}
            {%- for c in scope_columns -%}{%- do column_pairs.append((c, c)) -%}{%- endfor -%}
        {%- endif -%}
        delete from {{ target }} as dbt_scope_target
        where exists (
            select 1 from {{ scope_relation }} as dbt_scope
            where {% for t, s in column_pairs %}dbt_scope.{{ s }} = dbt_scope_target.{{ t }}{{ ' and ' if not loop.last }}{% endfor %}
        );
    {%- elif scope_day_column -%}
        delete from {{ target }} where {{ delivery_day_filter(scope_day_column) }};
    {%- else -%}
        {{ exceptions.raise_compiler_error("replace_scope needs scope_model + scope_columns, or scope_delivery_day_column") }}
    {%- endif %}

    insert into {{ target }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }} from {{ source }}
{%- endmacro %}


{#-
  `column in (<the distinct values of scope_column in scope_model>)` with the values inlined as
  constants, read when the model runs: a constant list is pushed into the table scan (only the
  filter column is read for rows outside the scope), where a semi-join would read every row.
  `1 = 0` when the scope is empty. `where`: a condition on the scope model's rows to take.
  Use only on an incremental run (the scope model must exist).
-#}
{% macro in_scope_values(column, scope_model, scope_column, data_type='date', where='1 = 1') -%}
    {%- if not execute -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set values = run_query('select distinct ' ~ scope_column ~ ' from ' ~ ref(scope_model) ~ ' where '
                               ~ scope_column ~ ' is not null and (' ~ where ~ ') order by 1').columns[0].values() -%}
    {%- if values | length == 0 -%}
        {{ return('1 = 0') }}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for v in values -%}
        {%- do literals.append("cast('" ~ (v | string | replace("'", "''")) ~ "' as " ~ data_type ~ ")") -%}
    {%- endfor -%}
    {{ return(column ~ ' in (' ~ literals | join(', ') ~ ')') }}
{%- endmacro %}


{#-
  On a batch run, `alias`'s rows whose key is in the run's scope model: `columns` maps a column of
  `alias` to a scope model column, the last pair being a date (its values are pushed into the scan
  as constants by in_scope_values; then the whole key is matched). Always true on a full rebuild.
-#}
{% macro in_scope_keys(alias, scope_model, columns) -%}
    {%- if not is_incremental() -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set pairs = columns.items() | list -%}
    {%- set date_column, scope_date_column = pairs[-1] -%}
    {{ in_scope_values(alias ~ '.' ~ date_column, scope_model, scope_date_column) }}
        and exists (
            select 1 from {{ ref(scope_model) }} as dbt_scope
            where {% for c, sc in pairs %}dbt_scope.{{ sc }} = {{ alias }}.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
        )
{%- endmacro %}
