select
    cue,
    measure,
    cast(direction as integer) as direction
from {{ ref('measure_cues') }}
