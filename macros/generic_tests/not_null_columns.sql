{#- The columns that must never be null, checked in one scan of the model (a not_null test per column
    would read the table once per column). Fails with one row per column that has nulls, and how many. -#}
{% test not_null_columns(model, columns) %}
with null_counts as (
    select
        {% for column in columns -%}
            count(*) filter (where "{{ column }}" is null) as "{{ column }}"{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}
)

{% for column in columns -%}
    select
        '{{ column }}' as column_name,
        "{{ column }}" as null_rows
    from null_counts
    where "{{ column }}" > 0
    {{ "union all" if not loop.last }}
{% endfor %}
{% endtest %}
