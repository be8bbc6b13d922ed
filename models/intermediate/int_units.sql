-- Every unit a statement may be in: the curated units, the rate units found in the reports
-- (int_rate_units, one row per unit however it was written) and the base unit of each rate unit, so
-- that value_base of a rate has a unit of its own to point to. Where a code comes more than once, the
-- curated unit wins, then the rate unit, then the first symbol by code point.
with curated_units as (
    select
        *,
        1 as priority
    from {{ ref('stg_units') }}
),

rate_units as (
    select
        unit_code,
        symbol_zh,
        cast(null as varchar) as name_zh,
        name_en,
        quantity_kind,
        base_unit_code,
        factor_to_base,
        2 as priority
    from {{ ref('int_rate_units') }}
),

rate_base_units as (
    select distinct
        base_unit_code as unit_code,
        base_symbol_zh as symbol_zh,
        cast(null as varchar) as name_zh,
        base_name_en as name_en,
        quantity_kind,
        base_unit_code,
        1.0 as factor_to_base,
        3 as priority
    from {{ ref('int_rate_units') }}
),

ranked_candidates as (
    select
        *,
        row_number() over (
            partition by unit_code order by priority, {{ by_code_point('symbol_zh') }}
        ) as candidate_rank
    from (
        select * from curated_units
        union all
        select * from rate_units
        union all
        select * from rate_base_units
    ) as candidates
)

select
    unit_code,
    symbol_zh,
    name_zh,
    name_en,
    quantity_kind,
    base_unit_code,
    factor_to_base
from ranked_candidates
where candidate_rank = 1
