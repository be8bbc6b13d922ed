-- Inputs rejected by a --keep-going build, so a dashboard can show what is missing and why.
with issues as (
    select * from {{ ref('stg_rejected_inputs') }}
)

select
    source_file,
    line,
    message
from issues
