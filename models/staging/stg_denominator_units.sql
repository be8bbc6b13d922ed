select
    spelling,
    unit_code,
    name_zh,
    name_en,
    quantity_kind,
    base_unit_code,
    factor_to_base
from {{ ref('denominator_units') }}
