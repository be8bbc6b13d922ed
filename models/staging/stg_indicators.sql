select
    indicator_code,
    name_zh,
    name_en,
    measure,
    quantity_kind,
    direction,
    sort_order,
    description
from {{ ref('indicators') }}
