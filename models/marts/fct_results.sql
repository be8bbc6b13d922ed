-- One row per quantified result: a statement in the review of past work.
select
    statement_id as result_id,
    {{ star_except(ref('int_statements'), ['statement_id', 'statement_kind', 'kind_evidence', 'indicator_scope', 'report_version']) }}
from {{ ref('int_statements') }}
where statement_kind = 'review'
