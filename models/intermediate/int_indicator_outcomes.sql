-- Single-year results with a canonical indicator, as outcomes of the year before their report
-- (去年…增长5.2% in the report for 2025 is the outcome of 2024), signed the way the indicator counts:
-- a reduction indicator counts a fall as positive (下降3.2% is 3.2, 上升0.5% is -0.5), a growth
-- indicator a fall as negative (居民消费价格下降0.7% is -0.7), and a level or ratio is as stated
-- (农村贫困人口减少1442万 is 1442万 of rural_poverty_reduction). The first such result in the report
-- is the region's outcome for that indicator and year.
with results as (
    select * from {{ ref('int_statements') }}
    where statement_kind = 'review' and indicator_code is not null
)

select
    results.statement_id as result_id,
    results.report_id,
    results.district_code,
    results.indicator_code,
    results.report_year - 1 as outcome_year,
    results.comparator,
    results.unit_code,
    units.base_unit_code,
    cast(
        results.value_base
        * case
            when indicators.measure = 'reduction' then case when results.change_direction = 1 then -1 else 1 end
            when indicators.measure = 'growth' then coalesce(results.change_direction, 1)
            else 1
        end
        as double precision
    ) as outcome_value_base,
    row_number() over (
        partition by results.district_code, results.indicator_code, results.report_year
        order by results.char_start, results.statement_id
    ) as outcome_rank
from results
inner join {{ ref('int_units') }} as units on results.unit_code = units.unit_code
inner join {{ ref('stg_indicators') }} as indicators on results.indicator_code = indicators.indicator_code
