{#-
  Estimated commission of one order line: round(net_gmv * commission_rate / 10000, 2), in exact
  decimal arithmetic (the division is a multiplication by the exact decimal 0.0001, never a
  floating-point division), rounded half away from zero, as DECIMAL(18,2).
-#}
{% macro commission_amount(net_gmv, commission_rate) -%}
    cast(round({{ net_gmv }} * cast({{ commission_rate }} as decimal(18, 0)) * cast(0.0001 as decimal(5, 4)), 2) as decimal(18, 2))
{%- endmacro %}

{#- ratio as DOUBLE, null when the denominator is 0 (or null) -#}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}
