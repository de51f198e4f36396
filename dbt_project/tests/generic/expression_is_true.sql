{#- Every row satisfies `expression`; the rows that do not are the failures. Null counts as false. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
