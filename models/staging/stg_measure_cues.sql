select
    cue,
    measure,
    direction
from {{ ref('measure_cues') }}
