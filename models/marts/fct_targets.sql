-- One row per quantified target: a quantity stated in the plan part of a report.
with statements as (
    select * from {{ ref('int_statements') }}
)

select
    statement_id as target_id,
    {{ statement_columns() }}
from statements
where statement_kind = 'plan'
