-- A percentage that is a level (a share, a rate) and is stated as "is" or "at least" cannot exceed 100;
-- growth figures (measure = change: 增长 150%) can.
select *
from {{ ref('fct_targets') }}
where
    unit_code = 'percent'
    and measure = 'level'
    and comparator in ('eq', 'ge')
    and value * multiplier > 100
    and not regexp_matches(indicator, '增长|增速|增幅|提高|提升|翻')
