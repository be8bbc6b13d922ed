{#- Fails for every row whose non-null value is not a code of the named list in the code_lists seed
    (comparator, firmness, measure, statement_kind, district_level): each code list is defined once. -#}
{% test accepted_codes(model, column_name, code_list) %}
select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in (
        select code_lists.code
        from {{ ref('code_lists') }} as code_lists
        where code_lists.code_list = '{{ code_list }}'
    )
{% endtest %}
