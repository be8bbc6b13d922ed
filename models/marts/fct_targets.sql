-- One row per quantified target: a statement in the plan part of a report.
select
    statement_id as target_id,
    {{ star_except(ref('int_statements'), ['statement_id', 'statement_kind', 'kind_evidence', 'indicator_scope', 'report_version']) }}
from {{ ref('int_statements') }}
where statement_kind = 'plan'
