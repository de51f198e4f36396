{#-
  First assignment per (experiment_id, creator_open_id): EXPERIMENTS.md's rule for this event log
  (not the latest state). The first is the smallest assigned_at, ties to the earliest delivery
  (a file ranks at its first delivery, _order_dt/_order_file, as in latest_state). `reassigned` is
  true once any record of the pair carries another arm, whatever its time or delivery order.
  A run merges its batch's first record with the stored one: min and "arms differ" are
  commutative and idempotent, so run order, repeats and late records give the same table.
-#}
{%- set ordering = [
    ('assigned_at', 'asc'), ('_order_dt', 'asc'), ('_order_file', 'asc'), ('_line', 'asc'), ('_dt', 'asc')
] -%}
{%- set columns = ['experiment_id', 'creator_open_id', 'arm', 'assigned_at',
                   '_dt', '_file', '_line', '_order_dt', '_order_file', '_extra'] -%}
with source as (

    {{ lake_batch('tiktok', 'experiment_assignments') }}

),

batch as (

    select
        cast(experiment_id as varchar) as experiment_id,
        cast(creator_open_id as varchar) as creator_open_id,
        cast(arm as varchar) as arm,
        cast(assigned_at as timestamp) as assigned_at,
        cast(_dt as date) as _dt,
        cast(_file as varchar) as _file,
        cast(_line as bigint) as _line,
        coalesce(cast(_order_dt as date), cast(_dt as date)) as _order_dt,
        coalesce(cast(_order_file as varchar), cast(_file as varchar)) as _order_file,
        cast(_extra as varchar) as _extra
    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by experiment_id, creator_open_id
            order by assigned_at asc, _order_dt asc, _order_file asc, _line asc, _dt asc  -- as `ordering`
        ) as _rank,
        min(arm) over (partition by experiment_id, creator_open_id)
        <> max(arm) over (partition by experiment_id, creator_open_id) as reassigned
    from batch

),

batch_first as (

    select
        {{ columns | join(', ') }},
        reassigned,
        {{ key_hash(['experiment_id', 'creator_open_id']) }} as _key_hash
    from ranked
    where _rank = 1

)

{%- if not is_incremental() %}

select * from batch_first

{%- else %},

existing as (

    select * from {{ this }}
    where _key_hash in (select _key_hash from batch_first)

),

paired as (

    select
        e.experiment_id is not null and (
            b.experiment_id is null or {{ ranks_above(ordering, 'e.', 'b.') }}
        ) as _keep_existing,
        coalesce(e.reassigned, false) or coalesce(b.reassigned, false)
        or coalesce(e.arm <> b.arm, false) as _reassigned,
        {% for c in columns %}b.{{ c }} as _b_{{ c }}, e.{{ c }} as _e_{{ c }},
        {% endfor -%}
        coalesce(b._key_hash, e._key_hash) as _key_hash
    from batch_first as b
    full outer join existing as e
        on b.experiment_id = e.experiment_id and b.creator_open_id = e.creator_open_id

)

select
    {% for c in columns %}case when _keep_existing then _e_{{ c }} else _b_{{ c }} end as {{ c }},
    {% endfor -%}
    _reassigned as reassigned,
    _key_hash
from paired

{%- endif %}
