select
    cue,
    position as cue_position,
    comparator_code
from {{ ref('comparator_cues') }}
