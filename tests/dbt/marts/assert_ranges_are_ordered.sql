-- A range has an upper bound above its value; nothing else has an upper bound.
with targets as (
    select target_id as statement_id, comparator, value, value_upper from {{ ref('fct_targets') }}
    union all
    select result_id as statement_id, comparator, value, value_upper from {{ ref('fct_results') }}
)

select *
from targets
where
    (comparator = 'range' and not coalesce(value_upper > value, false))
    or (comparator <> 'range' and value_upper is not null)
