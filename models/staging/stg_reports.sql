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
    report_text
from {{ ref('reports') }}
