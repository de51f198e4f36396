{#-
  Latest state per key, merged batch by batch.

  `batch` is a CTE holding the typed records of this run's delivery days, with the lake's
  lineage columns _dt, _file, _line. Per key the record with the greatest
  (version, _dt, _file, _line) wins (SOURCES.md: greatest version, ties to the later delivery;
  feeds without a version: the last delivered). On an incremental run the batch winner competes
  with the row already in the table for that key, so the result is the maximum over every
  delivery processed so far: max is commutative and idempotent, which makes the table independent
  of the order and the number of runs.

  `seen` maps a list column to an expression: the sorted distinct values the expression took over
  ALL delivered records of the key (winners or not), merged by set union. Downstream models use
  these to find the old dates/links a key's earlier versions were counted on.

  Emits the tail of a WITH chain: `, cte ... select ...`.
-#}
{% macro latest_state(batch, key, columns, version=none, seen={}) -%}
{%- set keys = [key] if key is string else key -%}
{%- set ordering = ([version] if version else []) + ['_dt', '_file', '_line'] -%}
{%- set order_desc -%}
    {%- for c in ordering %}{{ c }} desc{{ ', ' if not loop.last }}{% endfor -%}
{%- endset -%}
{%- set incremental = is_incremental() -%}
, _batch_ranked as (
    select
        {{ columns | join(',\n        ') }},
        row_number() over (partition by {{ keys | join(', ') }} order by {{ order_desc }}) as _rank
    from {{ batch }}
),
_batch_seen as (
    select
        {{ keys | join(', ') }}
        {%- for name, expression in seen.items() %},
        {{ collect_distinct(expression) }} as {{ name }}
        {%- endfor %}
    from {{ batch }}
    group by {{ keys | join(', ') }}
),
_candidates as (
    select
        {% for c in columns %}r.{{ c }},{% endfor %}
        {%- for name in seen %}
        s.{{ name }},
        {%- endfor %}
        1 as _from_batch
    from _batch_ranked as r
    inner join _batch_seen as s
        on {% for k in keys %}r.{{ k }} = s.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    where r._rank = 1
    {%- if incremental %}
    union all
    select
        {% for c in columns %}t.{{ c }},{% endfor %}
        {%- for name in seen %}
        t.{{ name }},
        {%- endfor %}
        0 as _from_batch
    from {{ this }} as t
    where exists (
        select 1 from _batch_seen as s
        where {% for k in keys %}s.{{ k }} = t.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    )
    {%- endif %}
),
_ranked as (
    select
        *,
        row_number() over (
            partition by {{ keys | join(', ') }}
            order by {{ order_desc }}, _from_batch desc
        ) as _rank
    from _candidates
)
{%- if seen and incremental %},
_seen_merged as (
    select
        {{ keys | join(', ') }}
        {%- for name in seen %},
        {{ merge_distinct_lists(name) }} as {{ name }}
        {%- endfor %}
    from _candidates
    group by {{ keys | join(', ') }}
)
{%- endif %}
select
    {% for c in columns %}w.{{ c }}{{ ',' if (not loop.last or seen) }}
    {% endfor -%}
    {%- for name in seen -%}
    {{ 'm.' if incremental else 'w.' }}{{ name }}{{ ',' if not loop.last }}
    {% endfor %}
from _ranked as w
{%- if seen and incremental %}
inner join _seen_merged as m
    on {% for k in keys %}w.{{ k }} = m.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
{%- endif %}
where w._rank = 1
{%- endmacro %}
