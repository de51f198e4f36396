{#-
  PII hashing. Clear e-mail and phone values are read only inside the staging SQL and never
  stored: staging keeps just these hashes. The salt comes from the environment (CWH_PII_SALT);
  the fixed development salt (assets/settings.py) applies only when it is unset.
-#}

{% macro pii_salt() -%}
    {{ return(adapter.dispatch('pii_salt', 'creator_warehouse')()) }}
{%- endmacro %}
{#- DuckDB: a session variable each dbt connection gets from CWH_PII_SALT
    (assets/warehouse/pii_salt_variable.py, the profile's plugin), so the salt is never written into
    compiled SQL, logs or dbt's parse state; a connection without it fails instead of hashing with null. -#}
{% macro duckdb__pii_salt() -%}
    coalesce(cast(getvariable('pii_salt') as varchar), error('the PII salt is not set on this connection: the dbt profile needs the plugin assets.warehouse.pii_salt_variable'))
{%- endmacro %}
{#- Elsewhere: the literal, rendered at execution only (it is then in that run's compiled SQL). -#}
{% macro default__pii_salt() -%}
    '{{ (env_var("CWH_PII_SALT") if execute else "") | replace("'", "''") }}'
{%- endmacro %}

{#- hex sha256 of salt || value; null stays null -#}
{% macro salted_sha256(expression) -%}
    {{ return(adapter.dispatch('salted_sha256', 'creator_warehouse')(expression)) }}
{%- endmacro %}
{% macro default__salted_sha256(expression) -%}
    sha256({{ pii_salt() }} || ({{ expression }}))
{%- endmacro %}

{#- e-mail as hashed: lower(trim(email)) -#}
{% macro email_sha256(column) -%}
    {{ salted_sha256('lower(trim(' ~ column ~ '))') }}
{%- endmacro %}

{#-
  E.164 form of a free-format phone number:
    1. keep only the digits; remember whether the trimmed value started with '+';
    2. with a leading '+': '+' followed by the digits (the country code is present);
    3. without '+': 10 digits are a US/NANP number -> '+1' || digits;
       11 digits starting with '1' are NANP with the trunk prefix -> '+' || digits;
       anything else is taken to already start with its country code -> '+' || digits;
    4. no digits at all -> null (no hash).
-#}
{% macro phone_e164(column) -%}
    {%- set digits = regexp_replace_all(column, '[^0-9]', '') -%}
    case
        when {{ column }} is null or length({{ digits }}) = 0 then null
        when trim({{ column }}) like '+%' then '+' || {{ digits }}
        when length({{ digits }}) = 10 then '+1' || {{ digits }}
        else '+' || {{ digits }}
    end
{%- endmacro %}

{% macro phone_sha256(column) -%}
    {{ salted_sha256(phone_e164(column)) }}
{%- endmacro %}

{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'creator_warehouse')(expression, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}
