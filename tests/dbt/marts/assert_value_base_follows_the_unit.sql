-- value_base is value × multiplier × the unit's factor to its base unit, in that base unit.
select targets.*
from {{ ref('fct_targets') }} as targets
inner join {{ ref('dim_unit') }} as units on targets.unit_code = units.unit_code
where
    abs(targets.value_base - cast(targets.value as double precision) * targets.multiplier * units.factor_to_base)
    > 1e-6 * greatest(1, abs(targets.value_base))
    or targets.base_unit_code <> units.base_unit_code
