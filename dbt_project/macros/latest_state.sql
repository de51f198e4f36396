{#-
  Latest state per key, merged batch by batch.

  `batch` is a CTE holding the typed records of this run's delivery days, with the lake's lineage
  columns _dt, _file, _line, _order_dt, _order_file. Per key, the record with the greatest
  (version, _order_dt, _order_file, _line) wins (SOURCES.md: greatest version, ties to the later
  delivery; feeds without a version: the last delivered). A delivery's position is its file's
  FIRST delivery (_order_dt, _order_file; ingestion reads it from the landing manifests): a
  re-delivered copy loaded before its original (days run out of order) ranks as the original,
  so a record delivered in between outranks both, as in a forward run. Between the copy and its
  original (identical records) the earlier _dt is kept. On an incremental run the batch winner
  competes with the row already stored for that key, so the stored row is the maximum over every
  delivery processed so far. max is commutative and idempotent: the table does not depend on
  the order or the number of runs.

  Cost does not grow with history beyond one probe: stored rows are found through _key_hash, a
  64-bit hash of the key (a BIGINT probe is several times cheaper than a string key probe). All
  rows sharing a batch key's hash are read, merged by the real key and written back, and the
  model's delete+insert runs on unique_key='_key_hash', so a hash collision merely rewrites an
  unrelated row unchanged.

  `seen` maps a list column to a column of the batch: the distinct non-null values that column
  had over ALL delivered records of the key (winners or not), merged by set union, so also
  independent of run order. It is null while the key has had a single value (the current one):
  nearly all keys, and cheap. Downstream reads it with seen_values(). It lets a batch run find the
  old dates and links a key's earlier versions were counted on.

  `first_delivery=true` adds _first_dt: the earliest delivery day of any record of the key (merged
  by min, so also independent of run order). A key whose _first_dt is one of the run's days is new
  to the table (or was delivered earlier than every day processed before): with a null seen list,
  a key whose _first_dt is older had the same values before this run, so downstream can skip the
  re-deliveries of a snapshot feed.

  Emits the tail of a WITH chain (`, cte ... select ...`).
-#}
{% macro latest_state(batch, key, columns, version=none, seen={}, first_delivery=false) -%}
{%- set keys = [key] if key is string else key -%}
{#- (column, direction) pairs, most significant first -#}
{%- set ordering = ([(version, 'desc')] if version else [])
    + [('_order_dt', 'desc'), ('_order_file', 'desc'), ('_line', 'desc'), ('_dt', 'asc')] -%}
{%- set incremental = is_incremental() -%}
{%- set key_list = keys | join(', ') -%}
, _batch_ranked as (
    select
        {{ columns | join(',\n        ') }},
        row_number() over (partition by {{ key_list }} order by {% for c, direction in ordering %}{{ c }} {{ direction }}{{ ', ' if not loop.last }}{% endfor %}) as _rank
        {%- for name, column in seen.items() %},
        min({{ column }}) over (partition by {{ key_list }}) as _min_{{ name }},
        max({{ column }}) over (partition by {{ key_list }}) as _max_{{ name }}
        {%- endfor %}
        {%- if first_delivery %},
        min(_dt) over (partition by {{ key_list }}) as _batch_first_dt
        {%- endif %}
    from {{ batch }}
),
_batch_winners as (
    select * from _batch_ranked where _rank = 1
),
{%- if seen %}
_batch_multi_valued as (
    {#- the rare keys whose batch records disagree on a seen column -#}
    select
        {{ key_list }}
        {%- for name, column in seen.items() %},
        {{ null_if_single(collect_distinct(column)) }} as {{ name }}
        {%- endfor %}
    from {{ batch }}
    where exists (
        select 1 from _batch_winners as w
        where {% for k in keys %}w.{{ k }} = {{ batch }}.{{ k }} and {% endfor %}(
            {%- for name in seen %}w._min_{{ name }} <> w._max_{{ name }}{{ ' or ' if not loop.last }}{% endfor -%}
        )
    )
    group by {{ key_list }}
),
{%- endif %}
_batch as (
    select
        {% for c in columns %}w.{{ c }},
        {% endfor -%}
        {{ key_hash(keys, 'w.') }} as _key_hash
        {%- for name in seen %},
        m.{{ name }},
        w._min_{{ name }}
        {%- endfor %}
        {%- if first_delivery %},
        w._batch_first_dt as _first_dt
        {%- endif %}
    from _batch_winners as w
    {%- if seen %}
    left join _batch_multi_valued as m
        on {% for k in keys %}m.{{ k }} = w.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- endif %}
)
{%- if not incremental %}
select
    {% for c in columns %}{{ c }},
    {% endfor -%}
    _key_hash
    {%- for name in seen %},
    {{ name }}
    {%- endfor %}
    {%- if first_delivery %},
    _first_dt
    {%- endif %}
from _batch
{%- else %},
_existing as (
    select
        {% for c in columns %}{{ c }},
        {% endfor -%}
        _key_hash
        {%- for name in seen %},
        {{ name }}
        {%- endfor %}
        {%- if first_delivery %},
        _first_dt
        {%- endif %}
    from {{ rows_with_key_hashes(this, 'select _key_hash from _batch') }} as stored
),
_paired as (
    select
        b.{{ keys[0] }} is not null as _has_batch,
        e.{{ keys[0] }} is not null as _has_existing,
        e.{{ keys[0] }} is not null and (
            b.{{ keys[0] }} is null or {{ ranks_above(ordering, 'e.', 'b.') }}
        ) as _keep_existing,
        {% for c in columns %}b.{{ c }} as _b_{{ c }}, e.{{ c }} as _e_{{ c }},
        {% endfor -%}
        coalesce(b._key_hash, e._key_hash) as _key_hash
        {%- for name, column in seen.items() %},
        b.{{ name }} as _b_{{ name }}, b._min_{{ name }} as _b_single_{{ name }},
        e.{{ name }} as _e_{{ name }}
        {%- endfor %}
        {%- if first_delivery %},
        b._first_dt as _b_first_dt, e._first_dt as _e_first_dt
        {%- endif %}
    from _batch as b
    full outer join _existing as e
        on {% for k in keys %}e.{{ k }} = b.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
)
select
    {% for c in columns %}case when _keep_existing then _e_{{ c }} else _b_{{ c }} end as {{ c }},
    {% endfor -%}
    _key_hash
    {%- for name, column in seen.items() %},
    case
        when not _has_existing then _b_{{ name }}
        when not _has_batch then _e_{{ name }}
        {# fast path: both sides hold the same single value (a re-delivery) #}
        when _e_{{ name }} is null and _b_{{ name }} is null
            and (_e_{{ column }} = _b_single_{{ name }} or (_e_{{ column }} is null and _b_single_{{ name }} is null))
            then null
        else {{ null_if_single(list_union(
                seen_values('_e_' ~ name, '_e_' ~ column),
                seen_values('_b_' ~ name, '_b_single_' ~ name))) }}
    end as {{ name }}
    {%- endfor %}
    {%- if first_delivery %},
    case when _e_first_dt is null or _b_first_dt < _e_first_dt then _b_first_dt else _e_first_dt end as _first_dt
    {%- endif %}
from _paired
{%- endif %}
{%- endmacro %}


{#- left's row ranks above right's by `ordering` ((column, direction) pairs), for non-null values, in plain SQL -#}
{% macro ranks_above(ordering, left, right) -%}
    {%- set c, direction = ordering[0] -%}
    {%- set op = '>' if direction == 'desc' else '<' -%}
    {%- if ordering | length == 1 -%}
        {{ left }}{{ c }} {{ op }} {{ right }}{{ c }}
    {%- else -%}
        ({{ left }}{{ c }} {{ op }} {{ right }}{{ c }} or ({{ left }}{{ c }} = {{ right }}{{ c }} and {{ ranks_above(ordering[1:], left, right) }}))
    {%- endif -%}
{%- endmacro %}
