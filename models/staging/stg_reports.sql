select
    report_id,
    source_file,
    district_code,
    cast(report_year as integer) as report_year,
    title,
    source_url,
    encoding,
    script,
    cast(char_count as integer) as char_count,
    sha256,
    report_text
from {{ ref('reports') }}
