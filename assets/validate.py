"""Record validation as one vectorised DuckDB pass, generated from the feed registry.

Each landing line gets either typed, normalised columns or a reason code (`invalid_json`,
`not_object`, `missing_field`, `wrong_type`, `invalid_enum`, a range code such as `quantity_lt_1`,
or a row rule such as `refunded_gt_quantity`) plus the field it concerns. The first failing check
in field order decides the reason, so a record is quarantined once, for one reason.
"""
from __future__ import annotations

from .feeds import BOOL, DEC, INT, LOCAL_TS, STR, STR_LIST, TS, Feed, Field

MILLIS_THRESHOLD = 100_000_000_000  # a ts above this is milliseconds (SOURCES.md)

_JSON_TYPES = {
    STR: "('VARCHAR')",
    LOCAL_TS: "('VARCHAR')",
    DEC: "('VARCHAR')",
    INT: "('BIGINT', 'UBIGINT')",
    TS: "('BIGINT', 'UBIGINT')",
    BOOL: "('BOOLEAN')",
    STR_LIST: "('ARRAY')",
}
_DEC_PATTERN = r"^-?[0-9]{1,16}(\.[0-9]{1,2}0*)?$"  # fits DECIMAL(18,2) exactly
_LOCAL_TS_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _raw(f: Field) -> str:
    """The field's JSON fragment (SQL NULL when absent or JSON null)."""
    return f"j.{_q(f.name)}"


def _typed(f: Field) -> str:
    """SQL for the field's normalised value; only evaluated once its type is known to be right."""
    raw = _raw(f)
    if f.type in (STR, LOCAL_TS):
        return f"json_extract_string({raw}, '$')"
    if f.type == DEC:
        return f"CAST(json_extract_string({raw}, '$') AS DECIMAL(18, 2))"
    if f.type == INT:
        return f"TRY_CAST({raw} AS BIGINT)"
    if f.type == TS:
        v = f"TRY_CAST({raw} AS BIGINT)"
        seconds = f"CASE WHEN {v} > {MILLIS_THRESHOLD} THEN {v} // 1000 ELSE {v} END"
        return f"make_timestamp(({seconds}) * 1000000)"  # naive UTC, independent of the session time zone
    if f.type == BOOL:
        return f"CAST({raw} AS BOOLEAN)"
    if f.type == STR_LIST:
        return f"CAST({raw} AS VARCHAR[])"
    raise ValueError(f"unknown type {f.type}")


def _type_ok(f: Field) -> str:
    raw = _raw(f)
    cond = f"json_type({raw}) IN {_JSON_TYPES[f.type]}"
    if f.type in (INT, TS):
        cond += f" AND TRY_CAST({raw} AS BIGINT) IS NOT NULL"
    elif f.type == DEC:
        cond += f" AND regexp_full_match(json_extract_string({raw}, '$'), {_lit(_DEC_PATTERN)})"
    elif f.type == LOCAL_TS:
        cond += (f" AND regexp_full_match(json_extract_string({raw}, '$'), {_lit(_LOCAL_TS_PATTERN)})"
                 f" AND try_strptime(json_extract_string({raw}, '$'), '%Y-%m-%d %H:%M:%S') IS NOT NULL")
    elif f.type == STR_LIST:
        cond += f" AND list_bool_and(list_transform(json_type({raw}, '$[*]'), lambda t: t = 'VARCHAR')) IS NOT FALSE"
    return cond


def _range_bad(f: Field) -> str | None:
    v = _typed(f)
    parts = []
    if f.min is not None:
        parts.append(f"{v} < {f.min}")
    if f.max is not None:
        parts.append(f"{v} > {f.max}")
    if f.exclusive_min is not None:
        parts.append(f"{v} <= {f.exclusive_min}")
    return " OR ".join(parts) or None


def reason_sql(feed: Feed) -> str:
    """A CASE giving 'reason|field' for a bad record and NULL for a valid one."""
    whens = [
        "WHEN NOT json_valid(text) THEN 'invalid_json|'",
        "WHEN json_type(text) <> 'OBJECT' THEN 'not_object|'",
    ]
    for f in feed.fields:
        raw = _raw(f)
        tag = lambda reason: _lit(f"{reason}|{f.name}")  # noqa: E731
        if f.required:
            whens.append(f"WHEN {raw} IS NULL THEN {tag('missing_field')}")
        guard = f"{raw} IS NOT NULL AND " if not f.required else ""
        whens.append(f"WHEN {guard}NOT ({_type_ok(f)}) THEN {tag('wrong_type')}")
        if f.enum:
            whens.append(f"WHEN {guard}{_typed(f)} NOT IN ({', '.join(map(_lit, f.enum))}) THEN {tag(f.enum_reason)}")
        bad = _range_bad(f)
        if bad:
            whens.append(f"WHEN {guard}({bad}) THEN {tag(f.range_reason)}")
    typed = {f.name: _typed(f) for f in feed.fields}
    for reason, predicate in feed.row_rules:
        expr = predicate.format(**{name: f"({sql})" for name, sql in typed.items()})
        whens.append(f"WHEN {expr} THEN {_lit(reason + '|')}")
    return "CASE " + " ".join(whens) + " ELSE NULL END"


def validation_sql(feed: Feed, lines_table: str) -> str:
    """Classify every line of `lines_table(file, line, text)`.

    Returns rows of (file, line, text, reason, field, <typed feed columns>, _extra).
    """
    structure = "{" + ", ".join(f'"{f.name}": "JSON"' for f in feed.fields) + "}"
    typed_cols = ",\n       ".join(f"CASE WHEN reason IS NULL THEN {_typed(f)} END AS {_q(f.name)}" for f in feed.fields)
    extra = "text"
    for f in feed.fields:  # json_remove takes one path at a time
        extra = f"json_remove({extra}, {_lit('$.' + _q(f.name))})"
    return f"""
WITH parsed AS (
  SELECT file, line, text,
         CASE WHEN json_valid(text) AND json_type(text) = 'OBJECT'
              THEN json_transform(text, {_lit(structure)}) END AS j
  FROM {lines_table}
), judged AS (
  SELECT *, {reason_sql(feed)} AS reason_field FROM parsed
), split AS (
  SELECT *, NULLIF(split_part(reason_field, '|', 1), '') AS reason,
            NULLIF(split_part(reason_field, '|', 2), '') AS field
  FROM judged
)
SELECT file, line, text, reason, field,
       {typed_cols},
       CASE WHEN reason IS NULL THEN NULLIF({extra}::VARCHAR, '{{}}') END AS _extra
FROM split
"""
