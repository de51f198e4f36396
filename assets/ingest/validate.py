"""Record validation as one vectorised DuckDB pass, generated from the feed registry.

Each landing line gets either typed, normalised columns or a reason code (`invalid_json`,
`not_object`, `missing_field`, `wrong_type`, `invalid_enum`, a range code such as `quantity_lt_1`,
or a row rule such as `refunded_gt_quantity`) plus the field it concerns. The first failing check
in field order decides the reason, so a record is quarantined once, for one reason.

Speed: each line is parsed once (json_transform into per-field JSON fragments); every field's
JSON type and candidate value are computed once, and the reason is a CASE over those columns.
"""

from __future__ import annotations

from assets.feeds import BOOL, DEC, INT, LOCAL_TS, STR, STR_LIST, TS, Feed, Field

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


def _t(f: Field) -> str:
    return _q("t__" + f.name)  # the field's JSON type (NULL when absent or JSON null)


def _v(f: Field) -> str:
    return _q("v__" + f.name)  # the field's candidate value (NULL when it is not of the right type)


def _candidate(f: Field) -> str:
    """SQL for the field's normalised value, or NULL if the JSON value is not of the field's type."""
    raw, t = f"j.{_q(f.name)}", f"json_type(j.{_q(f.name)})"
    if f.type in (STR, DEC, LOCAL_TS):
        text = f"CASE WHEN {t} = 'VARCHAR' THEN json_extract_string({raw}, '$') END"
        if f.type == STR:
            return text
        if f.type == DEC:
            return f"CASE WHEN regexp_full_match({text}, {_lit(_DEC_PATTERN)}) THEN CAST({text} AS DECIMAL(18, 2)) END"
        return (
            f"CASE WHEN regexp_full_match({text}, {_lit(_LOCAL_TS_PATTERN)}) "
            f"AND try_strptime({text}, '%Y-%m-%d %H:%M:%S') IS NOT NULL THEN {text} END"
        )
    if f.type in (INT, TS):
        v = f"CASE WHEN {t} IN ('BIGINT', 'UBIGINT') THEN TRY_CAST({raw} AS BIGINT) END"
        if f.type == INT:
            return v
        # Milliseconds are normalised to seconds; the value is naive UTC, independent of the session time zone.
        return f"make_timestamp((CASE WHEN {v} > {MILLIS_THRESHOLD} THEN {v} // 1000 ELSE {v} END) * 1000000)"
    if f.type == BOOL:
        return f"CASE WHEN {t} = 'BOOLEAN' THEN CAST({raw} AS BOOLEAN) END"
    if f.type == STR_LIST:
        return (
            f"CASE WHEN {t} = 'ARRAY' AND list_bool_and(list_transform(json_type({raw}, '$[*]'), "
            f"lambda e: e = 'VARCHAR')) IS NOT FALSE THEN CAST({raw} AS VARCHAR[]) END"
        )
    raise ValueError(f"unknown type {f.type}")


def _range_bad(f: Field) -> str | None:
    v = _v(f)
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
        "WHEN refused IS NOT NULL THEN refused || '|'",  # refused before parsing (lines.py)
        "WHEN j IS NULL AND NOT json_valid(text) THEN 'invalid_json|'",
        "WHEN j IS NULL THEN 'not_object|'",
    ]
    for f in feed.fields:
        tag = lambda reason, f=f: _lit(f"{reason}|{f.name}")  # noqa: E731
        if f.required:
            whens.append(f"WHEN {_t(f)} IS NULL THEN {tag('missing_field')}")
        whens.append(f"WHEN {_t(f)} IS NOT NULL AND {_v(f)} IS NULL THEN {tag('wrong_type')}")
        if f.enum:
            whens.append(f"WHEN {_v(f)} NOT IN ({', '.join(map(_lit, f.enum))}) THEN {tag(f.enum_reason)}")
        bad = _range_bad(f)
        if bad:
            whens.append(f"WHEN {bad} THEN {tag(f.range_reason)}")
    values = {f.name: _v(f) for f in feed.fields}
    for reason, predicate in feed.row_rules:
        whens.append(f"WHEN {predicate.format(**values)} THEN {_lit(reason + '|')}")
    return "CASE " + " ".join(whens) + " ELSE NULL END"


def validation_sql(feed: Feed, lines_table: str) -> str:
    """Classify every non-blank line of `lines_table(file, line, text, refused)`.

    `refused` is NULL, or the reason a line was refused before parsing (it is never parsed).

    Returns rows of (file, line, text, reason, field, <typed feed columns>, _extra).
    """
    structure = "{" + ", ".join(f'"{f.name}": "JSON"' for f in feed.fields) + "}"
    per_field = ",\n         ".join(
        f"json_type(j.{_q(f.name)}) AS {_t(f)}, {_candidate(f)} AS {_v(f)}" for f in feed.fields
    )
    typed_cols = ",\n       ".join(f"CASE WHEN reason IS NULL THEN {_v(f)} END AS {_q(f.name)}" for f in feed.fields)
    extra = "text"
    for f in feed.fields:  # json_remove takes one path at a time (and parses each time: only run it when needed)
        extra = f"json_remove({extra}, {_lit('$.' + _q(f.name))})"
    known = ", ".join(_lit(f.name) for f in feed.fields)
    has_extra = f"len(list_filter(json_keys(text), lambda k: k NOT IN ({known}))) > 0"
    return f"""
WITH parsed AS (
  SELECT file, line, text, refused,
         -- a valid JSON text starting with '{{' is an object: one parse for the check, one for the fields
         CASE WHEN refused IS NULL AND starts_with(ltrim(text), '{{') AND json_valid(text)
              THEN json_transform(text, {_lit(structure)}) END AS j
  FROM {lines_table}
  WHERE trim(text) <> '' OR refused IS NOT NULL
), typed AS (
  SELECT file, line, text, refused, j,
         {per_field}
  FROM parsed
), judged AS (
  SELECT *, {reason_sql(feed)} AS reason_field FROM typed
), split AS (
  SELECT *, NULLIF(split_part(reason_field, '|', 1), '') AS reason,
            NULLIF(split_part(reason_field, '|', 2), '') AS field
  FROM judged
)
SELECT file, line, text, reason, field,
       {typed_cols},
       CASE WHEN reason IS NULL AND {has_extra} THEN {extra}::VARCHAR END AS _extra
FROM split
"""
