{#-
  America/Los_Angeles wall-clock time -> UTC, in portable SQL (dbt cross-database macros only).

  US rules since 2007: DST (PDT, UTC-7) from the second Sunday of March 02:00 local to the first
  Sunday of November 02:00 local; otherwise PST (UTC-8).
  - The skipped spring-forward hour (02:00-02:59 on the second Sunday of March) does not exist;
    such a time is shifted forward one hour, i.e. read as PST: UTC = local + 8 h.
  - The repeated fall-back hour (01:00-01:59 on the first Sunday of November) is ambiguous; the
    first occurrence (PDT) is taken: UTC = local + 7 h.
  So: PDT (+7 h) exactly when  second Sunday of March 03:00 <= local < first Sunday of November 02:00.
  DuckDB's timezone() picks the second occurrence of an ambiguous time, hence this macro.

  `local_ts` is a TIMESTAMP expression holding the wall-clock time.
-#}
{% macro day_of_week_sunday0(date_expression) -%}
    {#- 1970-01-04 was a Sunday; valid for dates after it -#}
    mod({{ dbt.datediff("cast('1970-01-04' as date)", date_expression, 'day') }}, 7)
{%- endmacro %}

{% macro nth_sunday_of_month(year_start, month_offset, n) -%}
    {%- set first_of_month = dbt.dateadd('month', month_offset, year_start) -%}
    {{ dbt.dateadd('day', '(mod(7 - ' ~ day_of_week_sunday0(first_of_month) ~ ', 7) + ' ~ (7 * (n - 1)) ~ ')', first_of_month) }}
{%- endmacro %}

{% macro los_angeles_to_utc(local_ts) -%}
    {%- set year_start = dbt.date_trunc('year', local_ts) -%}
    {%- set dst_start = dbt.dateadd('hour', 3, nth_sunday_of_month(year_start, 2, 2)) -%}
    {%- set dst_end = dbt.dateadd('hour', 2, nth_sunday_of_month(year_start, 10, 1)) -%}
    {{ dbt.dateadd(
        'hour',
        'case when ' ~ local_ts ~ ' >= ' ~ dst_start ~ ' and ' ~ local_ts ~ ' < ' ~ dst_end ~ ' then 7 else 8 end',
        local_ts
    ) }}
{%- endmacro %}
