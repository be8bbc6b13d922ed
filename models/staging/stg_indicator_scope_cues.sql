select
    cue,
    scope,
    looked_in,
    except_level
from {{ ref('indicator_scope_cues') }}
