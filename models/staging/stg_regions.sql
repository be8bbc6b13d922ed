select
    district_code,
    name_zh,
    name_en,
    level,
    parent_code,
    is_official
from {{ ref('regions') }}
