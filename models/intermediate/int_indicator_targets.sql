-- Targets with a canonical indicator, their value in their own unit after the multiplier, and which of
-- a region's targets for one indicator and year is the headline: among the main targets (主要预期目标)
-- first, a target that is not only striven for (增长7%以上、力争达到8%: the 7%), then the first in the
-- report.
with targets as (
    select * from {{ ref('int_statements') }}
    where statement_kind = 'plan' and indicator_code is not null
)

select
    targets.statement_id as target_id,
    targets.report_id,
    targets.district_code,
    targets.indicator_code,
    targets.report_year as target_year,
    targets.comparator,
    targets.firmness,
    targets.unit_code,
    units.base_unit_code,
    units.factor_to_base,
    units.quantity_kind,
    cast(targets.value * targets.multiplier as double precision) as target_value,
    cast(targets.value_upper * targets.multiplier as double precision) as target_value_upper,
    targets.value_base,
    targets.value_upper_base,
    targets.is_main_target,
    row_number() over (
        partition by targets.district_code, targets.indicator_code, targets.report_year
        order by
            targets.is_main_target desc,
            targets.firmness = 'aspirational' asc,
            targets.char_start asc,
            targets.statement_id asc
    ) as headline_rank
from targets
inner join {{ ref('int_units') }} as units on targets.unit_code = units.unit_code
