select
    indicator_code,
    name_zh,
    name_en,
    measure,
    quantity_kind,
    direction,
    target_semantics,
    sort_order,
    description
from {{ ref('indicators') }}
