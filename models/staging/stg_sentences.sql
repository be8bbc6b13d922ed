select
    sentence_id,
    report_id,
    sentence_no,
    section_id,
    paragraph_no,
    char_start,
    char_end,
    sentence_text,
    statement_kind,
    kind_evidence,
    lead_text,
    in_main_targets
from {{ ref('sentences') }}
