-- Every report's text is the one its row describes: dim_report.char_count characters, no more, no less
-- (a text kept from another version of the report would point the facts' offsets elsewhere).
with reports as (
    select report_id, char_count from {{ ref('dim_report') }}
),

texts as (
    select report_id, report_text from {{ ref('dim_report_text') }}
)

select
    reports.report_id,
    reports.char_count,
    length(texts.report_text) as text_length
from reports
full outer join texts on reports.report_id = texts.report_id
where reports.char_count is distinct from length(texts.report_text)
