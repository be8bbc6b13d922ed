-- The "no multiplier" row keeps its null multiplier_text: quantities without a multiplier join it
-- null-safely (is not distinct from).
select
    multiplier_text,
    multiplier
from {{ ref('multipliers') }}
