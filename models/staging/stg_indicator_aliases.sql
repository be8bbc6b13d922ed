select
    alias,
    match_mode,
    indicator_code,
    clause_cue,
    not_with,
    measure,
    single_item_only,
    priority
from {{ ref('indicator_aliases') }}
