-- Region × indicator × year for BI: the headline target, the outcome and the attainment side by side,
-- with Chinese and English labels. A year has a row when it has a target or an outcome; the values are
-- in the target's unit, or the outcome's when the year has no target.
with headline_targets as (
    select * from {{ ref('int_indicator_targets') }}
    where headline_rank = 1
),

target_counts as (
    select
        district_code,
        indicator_code,
        target_year,
        count(*) as target_count
    from {{ ref('int_indicator_targets') }}
    group by district_code, indicator_code, target_year
),

outcomes as (
    select * from {{ ref('int_indicator_outcomes') }}
    where outcome_rank = 1
),

series_years as (
    select
        district_code,
        indicator_code,
        target_year as series_year
    from headline_targets
    union
    select
        district_code,
        indicator_code,
        outcome_year as series_year
    from outcomes
)

select
    series_years.district_code,
    districts.name_zh as district_name_zh,
    districts.name_en as district_name_en,
    districts.level as district_level,
    series_years.indicator_code,
    indicators.name_zh as indicator_name_zh,
    indicators.name_en as indicator_name_en,
    indicators.direction as indicator_direction,
    series_years.series_year,
    coalesce(headline_targets.unit_code, outcomes.unit_code) as unit_code,
    headline_targets.target_id,
    headline_targets.comparator as target_comparator,
    headline_targets.firmness as target_firmness,
    headline_targets.target_value,
    headline_targets.target_value_upper,
    coalesce(target_counts.target_count, 0) as target_count,
    outcomes.result_id,
    coalesce(target_outcomes.outcome_value, outcomes.outcome_value_base / units.factor_to_base) as outcome_value,
    target_outcomes.gap,
    target_outcomes.attainment
from series_years
inner join {{ ref('dim_district') }} as districts on series_years.district_code = districts.district_code
inner join {{ ref('dim_indicator') }} as indicators on series_years.indicator_code = indicators.indicator_code
left join headline_targets
    on
        series_years.district_code = headline_targets.district_code
        and series_years.indicator_code = headline_targets.indicator_code
        and series_years.series_year = headline_targets.target_year
left join target_counts
    on
        series_years.district_code = target_counts.district_code
        and series_years.indicator_code = target_counts.indicator_code
        and series_years.series_year = target_counts.target_year
left join outcomes
    on
        series_years.district_code = outcomes.district_code
        and series_years.indicator_code = outcomes.indicator_code
        and series_years.series_year = outcomes.outcome_year
left join {{ ref('int_units') }} as units on outcomes.unit_code = units.unit_code
left join {{ ref('fct_target_outcomes') }} as target_outcomes on headline_targets.target_id = target_outcomes.target_id
