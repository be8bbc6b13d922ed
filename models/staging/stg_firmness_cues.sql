select
    cue,
    firmness_code
from {{ ref('firmness_cues') }}
