-- Each loaded report yields at least one quantified statement (target or result): a report with none
-- means the reader or segmenter lost its text.
with statements as (
    select report_id from {{ ref('fct_targets') }}
    union all
    select report_id from {{ ref('fct_results') }}
)

select reports.report_id, reports.source_file
from {{ ref('dim_report') }} as reports
left join statements on reports.report_id = statements.report_id
group by reports.report_id, reports.source_file
having count(statements.report_id) = 0
