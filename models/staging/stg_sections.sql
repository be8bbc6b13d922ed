select
    section_id,
    report_id,
    section_no,
    parent_section_id,
    heading_level,
    marker,
    ordinal,
    section_path,
    title as section_title,
    char_start,
    char_end,
    statement_kind
from {{ ref('sections') }}
