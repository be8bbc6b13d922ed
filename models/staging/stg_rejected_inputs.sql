select
    source_file,
    line,
    message
from {{ ref('rejected_inputs') }}
