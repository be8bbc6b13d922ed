select
    alias,
    unit_code
from {{ ref('unit_aliases') }}
