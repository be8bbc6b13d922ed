-- The catalogue of canonical indicators, with the wordings that map to each (indicator_aliases).
with distinct_aliases as (
    select distinct
        indicator_code,
        alias
    from {{ ref('stg_indicator_aliases') }}
),

alias_lists as (
    select
        indicator_code,
        string_agg(alias, '、' order by {{ by_code_point('alias') }}) as aliases
    from distinct_aliases
    group by indicator_code
)

select
    indicators.indicator_code,
    indicators.name_zh,
    indicators.name_en,
    indicators.measure,
    indicators.quantity_kind,
    indicators.direction,
    indicators.target_semantics,
    indicators.sort_order,
    indicators.description,
    alias_lists.aliases
from {{ ref('stg_indicators') }} as indicators
left join alias_lists on indicators.indicator_code = alias_lists.indicator_code
