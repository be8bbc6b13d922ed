-- Every target and result points back to its text: report_text[char_start:char_end] is the clause.
with statements as (
    select target_id as statement_id, report_id, char_start, char_end, clause
    from {{ ref('fct_targets') }}
    union all
    select result_id as statement_id, report_id, char_start, char_end, clause
    from {{ ref('fct_results') }}
),

reports as (
    select * from {{ ref('dim_report_text') }}
)

select statements.*
from statements
inner join reports on statements.report_id = reports.report_id
where
    substring(reports.report_text, statements.char_start + 1, statements.char_end - statements.char_start)
    is distinct from statements.clause
