select
    report_id,
    source_file,
    district_code,
    report_year,
    title,
    source_url,
    encoding,
    script,
    char_count,
    sha256,
    report_text,
    -- what a report's rows are made from besides the extractor: its file and its manifest row
    {{ row_digest(
        ['report_id', 'sha256', 'source_file', 'district_code', 'report_year', 'title', 'source_url', 'encoding', 'script']
    ) }} as report_version
from {{ ref('reports') }}
