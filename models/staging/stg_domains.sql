select
    domain_code,
    name_zh,
    name_en,
    scope
from {{ ref('domains') }}
