select
    domain_code,
    name_zh,
    name_en,
    scope,
    sort_order,
    is_fallback
from {{ ref('domains') }}
