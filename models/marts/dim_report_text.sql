-- The decoded text of each report, which every char_start/char_end of the facts points into.
select
    report_id,
    report_text
from {{ ref('stg_reports') }}
