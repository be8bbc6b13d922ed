-- Every unit a statement may be in: the curated units, the rate units found in the reports
-- (int_rate_units, one row per unit however it was written) and the base unit of each rate unit, so
-- that value_base of a rate has a unit of its own to point to.
with rate_units as (
    select * exclude (spelling, base_symbol_zh, base_name_en) from {{ ref('int_rate_units') }}
),

rate_base_units as (
    select distinct
        base_unit_code as unit_code,
        base_symbol_zh as symbol_zh,
        base_name_en as name_en,
        quantity_kind,
        base_unit_code,
        1.0 as factor_to_base
    from {{ ref('int_rate_units') }}
),

candidates as (
    select
        *,
        1 as priority
    from {{ ref('stg_units') }}
    union all by name
    select
        *,
        2 as priority
    from rate_units
    union all by name
    select
        *,
        3 as priority
    from rate_base_units
)

select * exclude (priority)
from candidates
qualify row_number() over (partition by unit_code order by priority, symbol_zh) = 1
