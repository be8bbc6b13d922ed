select
    unit_code,
    symbol_zh,
    name_zh,
    name_en,
    quantity_kind,
    base_unit_code,
    factor_to_base
from {{ ref('units') }}
