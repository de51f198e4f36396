{#- None of `columns` is null: one scan for all of a model's required columns. -#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where {% for c in columns %}{{ c }} is null{{ ' or ' if not loop.last }}{% endfor %}

{% endtest %}
