{#-
  Overrides dbt's get_where_subquery(), which every data test uses to read its model: on a batch
  run, the tests of an incremental model check the rows this run (re)wrote, so a day's test cost
  does not grow with history; on a full rebuild, and for table models, they check every row.
    - replace_scope models: rows whose scope key is in the run's scope model
      (each run deletes and rewrites exactly that scope);
    - other incremental models (staging): rows whose winning record came from this batch
      (_dt in delivery_days).
  A test's own `where` config still applies.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set predicates = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do predicates.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set scope = batch_test_scope() -%}
    {%- if scope -%}
        {%- do predicates.append('(' ~ scope ~ ')') -%}
    {%- endif -%}
    {%- if predicates -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ predicates | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{% macro batch_test_scope() -%}
    {%- if not execute or is_full_rebuild() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set attached = model.get('attached_node') -%}
    {%- if not attached or attached not in graph.nodes -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node_config = graph.nodes[attached].config -%}
    {%- if node_config.materialized != 'incremental' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set scope_model = node_config.get('scope_model') -%}
    {%- set scope_columns = node_config.get('scope_columns') -%}
    {%- set scope_day_column = node_config.get('scope_delivery_day_column') -%}
    {%- if scope_model and scope_columns -%}
        {%- if scope_columns is mapping -%}
            {%- set target_columns = scope_columns.keys() | list -%}
            {%- set source_columns = scope_columns.values() | list -%}
        {%- else -%}
            {%- set target_columns = scope_columns -%}
            {%- set source_columns = scope_columns -%}
        {%- endif -%}
        {{ return('(' ~ target_columns | join(', ') ~ ') in (select ' ~ source_columns | join(', ')
                  ~ ' from ' ~ target.schema ~ '.' ~ scope_model ~ ')') }}
    {%- elif scope_day_column -%}
        {{ return(delivery_day_filter(scope_day_column)) }}
    {%- else -%}
        {{ return(delivery_day_filter('_dt')) }}
    {%- endif -%}
{%- endmacro %}
