-- A percentage that is a level (a share, a rate) and is stated as "is" or "at least" cannot exceed 100;
-- growth figures (measure = change: 增长 150%), plan fulfilment and ratios to a reference can.
select *
from {{ ref('fct_targets') }}
where
    unit_code = 'percent'
    and measure = 'level'
    and comparator in ('eq', 'ge')
    and value * multiplier > 100
    -- growth figures, plan fulfilment (计划完成105%) and ratios to a reference (为上年的105%) can exceed 100
    and not {{ regex_matches('indicator', "'增长|增速|增幅|提高|提升|增加|翻|完成|相当于'") }}
    and not {{ regex_matches('clause', "'的(百分之|[0-9０-９.．]+[%％])'") }}
