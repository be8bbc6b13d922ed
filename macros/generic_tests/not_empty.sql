{#- Fails when the model has no rows at all. -#}
{% test not_empty(model) %}
select 1 as missing_rows
where not exists (select 1 from {{ model }})
{% endtest %}
