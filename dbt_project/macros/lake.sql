{#-
  The lake as a relation. `source()` renders the source's external location (a hive-partitioned
  Parquet glob); if the glob matches no file at all (a feed never delivered, an empty quarantine),
  DuckDB would fail, so an empty relation with the source's declared columns is used instead.
-#}
{% macro lake_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or relation.external is none -%}
        {#- parsing, or a unit-test fixture standing in for the source -#}
        {{ return(relation) }}
    {%- endif -%}
    {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', source_name)
                   | selectattr('name', 'equalto', table_name) | first -%}
    {%- set meta = node.config.meta if (node.config and node.config.meta) else node.meta -%}
    {%- set pattern = meta['lake_glob'] -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] -%}
    {%- if found > 0 -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set empty -%}
        (select {% for column in node.columns.values() -%}
            cast(null as {{ column.data_type }}) as {{ column.name }}{{ ', ' if not loop.last }}
        {%- endfor %} where 1 = 0)
    {%- endset -%}
    {{ return(empty) }}
{%- endmacro %}


{#-
  The batch of a staging model: the rows of the lake feed in this run's delivery-day partitions
  (the hive partition column `dt`; every partition on a full rebuild). Renders a whole select:
      with source as (
          {{ lake_batch('tiktok', 'links') }}
      ),
-#}
{% macro lake_batch(source_name, table_name) -%}
    select * from {{ lake_source(source_name, table_name) }}
    where {{ delivery_day_filter('dt') }}
{%- endmacro %}
