with reports as (
    select * from {{ ref('stg_reports') }}
)

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
    sha256
from reports
