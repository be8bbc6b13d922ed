-- Every spelling of a unit that the extractor may record: the unit's own symbol and its aliases.
with units as (
    select * from {{ ref('stg_units') }}
),

aliases as (
    select * from {{ ref('stg_unit_aliases') }}
)

select symbol_zh as spelling, unit_code from units
union all
select alias as spelling, unit_code from aliases
