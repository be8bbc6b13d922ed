with regions as (
    select * from {{ ref('stg_regions') }}
)

select
    district_code,
    name_zh,
    name_en,
    district_level as level,
    parent_code,
    is_official
from regions
