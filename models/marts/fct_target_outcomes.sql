-- One row per target with a canonical indicator, beside the single-year outcome its region reports for
-- that year in the review of its next report (去年…增长5.2%), and whether the target was met. Both
-- clauses are reachable by id (fct_targets.target_id, fct_results.result_id).
with targets as (
    select * from {{ ref('int_indicator_targets') }}
),

outcomes as (
    select * from {{ ref('int_indicator_outcomes') }}
    where outcome_rank = 1
),

report_years as (
    select distinct
        district_code,
        report_year
    from {{ ref('dim_report') }}
),

targets_with_outcomes as (
    select
        targets.target_id,
        outcomes.result_id,
        targets.district_code,
        targets.indicator_code,
        targets.target_year,
        targets.comparator,
        targets.firmness,
        targets.target_value,
        targets.target_value_upper,
        outcomes.outcome_value_base / targets.factor_to_base as outcome_value,
        outcomes.comparator as outcome_comparator,
        indicators.target_semantics,
        case
            -- points of a percent, in the target's unit (5‰ for 0.5 percentage points)
            when targets.quantity_kind = 'ratio' then {{ var('attainment_tolerance_points') }} / targets.factor_to_base
            else abs(targets.target_value) * {{ var('attainment_tolerance_relative') }}
        end as tolerance,
        report_years.report_year is not null as has_next_report
    from targets
    inner join {{ ref('stg_indicators') }} as indicators on targets.indicator_code = indicators.indicator_code
    left join outcomes
        on
            targets.district_code = outcomes.district_code
            and targets.indicator_code = outcomes.indicator_code
            and targets.target_year = outcomes.outcome_year
            and targets.base_unit_code = outcomes.base_unit_code
    left join report_years
        on targets.district_code = report_years.district_code and targets.target_year + 1 = report_years.report_year
),

targets_judged as (
    select
        *,
        case
            when outcome_value is null then 'unknown'
            when comparator = 'ge' then case when outcome_value >= target_value then 'met' else 'missed' end
            when comparator = 'gt' then case when outcome_value > target_value then 'met' else 'missed' end
            when comparator = 'le' then case when outcome_value <= target_value then 'met' else 'missed' end
            when comparator = 'lt' then case when outcome_value < target_value then 'met' else 'missed' end
            when comparator = 'range'
                then
                    case
                        when outcome_value between target_value and target_value_upper then 'met'
                        when target_semantics = 'floor' and outcome_value > target_value_upper then 'exceeded'
                        when target_semantics = 'ceiling' and outcome_value < target_value then 'met'
                        else 'missed'
                    end
            when abs(outcome_value - target_value) <= tolerance then 'met'
            when target_semantics = 'floor' and outcome_value > target_value then 'exceeded'
            when target_semantics = 'ceiling' and outcome_value < target_value then 'met'
            else 'missed'
        end as attainment
    from targets_with_outcomes
)

select
    target_id,
    result_id,
    district_code,
    indicator_code,
    target_year,
    comparator,
    firmness,
    target_value,
    target_value_upper,
    outcome_value,
    case
        when outcome_value is null then null
        when comparator = 'range' and outcome_value < target_value then outcome_value - target_value
        when comparator = 'range' and outcome_value > target_value_upper then outcome_value - target_value_upper
        when comparator = 'range' then 0
        else outcome_value - target_value
    end as gap,
    attainment,
    case
        when outcome_value is not null and outcome_comparator in ('ge', 'gt', 'le', 'lt')
            then
                'stated in the review of the report for ' || (target_year + 1)
                || ' as a bound (' || outcome_comparator || '), taken as the value'
        when outcome_value is not null and outcome_comparator = 'approx'
            then 'stated in the review of the report for ' || (target_year + 1) || ' as an approximate value'
        when outcome_value is not null and outcome_comparator = 'range'
            then 'stated in the review of the report for ' || (target_year + 1) || ' as a range, taken at its lower bound'
        when outcome_value is not null then 'stated in the review of the report for ' || (target_year + 1)
        when has_next_report
            then
                'no single-year result for this indicator in the report for ' || (target_year + 1)
                || ' (it may give only an average over several years)'
        else 'no report for ' || (target_year + 1) || ' of this region in the warehouse'
    end as outcome_note
from targets_judged
