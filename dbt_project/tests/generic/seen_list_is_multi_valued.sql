{#- A seen list (see latest_state()) is null for a single value, else has at least two elements. -#}
{% test seen_list_is_multi_valued(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and len({{ column_name }}) < 2

{% endtest %}
