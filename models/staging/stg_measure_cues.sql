select
    cue,
    measure,
    direction,
    comparator_code
from {{ ref('measure_cues') }}
