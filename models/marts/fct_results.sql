-- One row per quantified result: a quantity stated in the review of past work.
with statements as (
    select * from {{ ref('int_statements') }}
)

select
    statement_id as result_id,
    {{ statement_columns() }}
from statements
where statement_kind = 'review'
