select
    source_file,
    cast(line as integer) as line,
    message
from {{ ref('rejected_inputs') }}
