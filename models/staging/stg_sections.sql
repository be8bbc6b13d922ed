select
    section_id,
    report_id,
    cast(section_no as integer) as section_no,
    parent_section_id,
    cast(heading_level as integer) as heading_level,
    marker,
    cast(ordinal as integer) as ordinal,
    section_path,
    title as section_title,
    cast(char_start as integer) as char_start,
    cast(char_end as integer) as char_end,
    statement_kind
from {{ ref('sections') }}
