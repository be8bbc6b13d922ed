select
    coalesce(multiplier_text, '') as multiplier_text,
    cast(multiplier as double) as multiplier
from {{ ref('multipliers') }}
