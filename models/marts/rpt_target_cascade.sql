-- For every target with a canonical indicator, the parent region's headline target for the same
-- indicator and year (a city's province, a province's nation), for 层层加码 questions: how far above
-- its parent does a region set its target?
with targets as (
    select * from {{ ref('int_indicator_targets') }}
),

parent_targets as (
    select * from targets
    where headline_rank = 1
),

districts as (
    select * from {{ ref('dim_district') }}
)

select
    targets.target_id,
    targets.district_code,
    districts.name_zh as district_name_zh,
    districts.name_en as district_name_en,
    districts.level as district_level,
    targets.indicator_code,
    indicators.name_zh as indicator_name_zh,
    indicators.name_en as indicator_name_en,
    targets.target_year,
    targets.comparator,
    targets.firmness,
    targets.unit_code,
    targets.target_value,
    targets.target_value_upper,
    targets.headline_rank = 1 as is_headline_target,
    districts.parent_code as parent_district_code,
    parents.name_zh as parent_name_zh,
    parents.name_en as parent_name_en,
    parent_targets.target_id as parent_target_id,
    parent_targets.comparator as parent_comparator,
    parent_targets.value_base / targets.factor_to_base as parent_target_value,
    parent_targets.value_upper_base / targets.factor_to_base as parent_target_value_upper,
    targets.target_value - parent_targets.value_base / targets.factor_to_base as difference
from targets
inner join districts on targets.district_code = districts.district_code
inner join {{ ref('dim_indicator') }} as indicators on targets.indicator_code = indicators.indicator_code
left join districts as parents on districts.parent_code = parents.district_code
left join parent_targets
    on
        districts.parent_code = parent_targets.district_code
        and targets.indicator_code = parent_targets.indicator_code
        and targets.target_year = parent_targets.target_year
        and targets.base_unit_code = parent_targets.base_unit_code
