select
    district_code,
    name_zh,
    name_en,
    level as district_level,
    nullif(parent_code, '') as parent_code,
    cast(is_official as boolean) as is_official
from {{ ref('regions') }}
