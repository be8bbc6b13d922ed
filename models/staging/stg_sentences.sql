select
    sentence_id,
    report_id,
    cast(sentence_no as integer) as sentence_no,
    section_id,
    cast(paragraph_no as integer) as paragraph_no,
    cast(char_start as integer) as char_start,
    cast(char_end as integer) as char_end,
    sentence_text,
    statement_kind,
    coalesce(lead_text, '') as lead_text,
    cast(in_main_targets as boolean) as in_main_targets
from {{ ref('sentences') }}
