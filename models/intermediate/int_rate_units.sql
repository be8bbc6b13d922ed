-- Rate units as the extractor recorded them (吨/日, 吨标准煤/万元, 元/人·月), each resolved into a unit
-- of its own: the numerator and every denominator looked up among the units (a denominator may carry a
-- multiplier, 万元, or be a time word that is a unit only after a slash, 日), and the code, symbol,
-- quantity kind, base unit and factor composed from theirs.
with simple_units as (
    select
        spellings.spelling,
        units.*
    from {{ ref('int_unit_spellings') }} as spellings
    inner join {{ ref('stg_units') }} as units on spellings.unit_code = units.unit_code
),

denominators as (
    select
        spelling,
        unit_code,
        symbol_zh,
        name_en,
        quantity_kind,
        base_unit_code,
        factor_to_base
    from simple_units
    union all
    select
        time_words.spelling,
        time_words.unit_code,
        time_words.spelling as symbol_zh,
        time_words.name_en,
        time_words.quantity_kind,
        time_words.base_unit_code,
        time_words.factor_to_base
    from {{ ref('stg_denominator_units') }} as time_words
    where time_words.spelling not in (select simple_units.spelling from simple_units)
),

written as (
    select distinct quantities.unit_text as spelling
    from {{ ref('stg_quantities') }} as quantities
    where
        {{ text_contains('quantities.unit_text', "'/'") }}
        and quantities.unit_text not in (select simple_units.spelling from simple_units)
),

denominator_parts as (
    select
        spelling,
        unnest(string_to_array(split_part(spelling, '/', 2), '·')) as part,
        generate_subscripts(string_to_array(split_part(spelling, '/', 2), '·'), 1) as part_no
    from written
),

resolved_parts as (
    select
        denominator_parts.spelling,
        denominator_parts.part_no,
        coalesce(whole.unit_code, split.unit_code) as unit_code,
        coalesce(whole.symbol_zh, split.symbol_zh) as symbol_zh,
        coalesce(whole.name_en, split.name_en) as name_en,
        coalesce(whole.quantity_kind, split.quantity_kind) as quantity_kind,
        coalesce(whole.base_unit_code, split.base_unit_code) as base_unit_code,
        coalesce(whole.factor_to_base, split.factor_to_base) as factor_to_base,
        case when whole.unit_code is null then multipliers.multiplier_text end as multiplier_text,
        case when whole.unit_code is null then multipliers.multiplier else 1 end as multiplier,
        base_units.symbol_zh as base_symbol_zh,
        base_units.name_en as base_name_en
    from denominator_parts
    left join denominators as whole on denominator_parts.part = whole.spelling
    left join {{ ref('stg_multipliers') }} as multipliers
        on
            whole.unit_code is null
            and starts_with(denominator_parts.part, multipliers.multiplier_text)
    left join denominators as split
        on
            whole.unit_code is null
            and split.spelling = substr(denominator_parts.part, length(multipliers.multiplier_text) + 1)
    left join {{ ref('stg_units') }} as base_units
        on coalesce(whole.base_unit_code, split.base_unit_code) = base_units.unit_code
    where whole.unit_code is not null or split.unit_code is not null
),

per_spelling as (
    select
        spelling,
        count(*) as resolved_parts,
        string_agg(
            case when multiplier <> 1 then cast(cast(multiplier as bigint) as varchar) || '_' else '' end
            || unit_code,
            '_' order by part_no
        ) as code_tail,
        string_agg(coalesce(multiplier_text, '') || symbol_zh, '·' order by part_no) as symbol_tail,
        string_agg(
            case when multiplier <> 1 then cast(cast(multiplier as bigint) as varchar) || ' ' else '' end || name_en,
            ' ' order by part_no
        ) as name_tail,
        string_agg(quantity_kind, '_' order by part_no) as kind_tail,
        string_agg(base_unit_code, '_' order by part_no) as base_tail,
        string_agg(base_symbol_zh, '·' order by part_no) as base_symbol_tail,
        string_agg(base_name_en, ' ' order by part_no) as base_name_tail,
        {{ product_of('factor_to_base * multiplier') }} as denominator_factor
    from resolved_parts
    group by spelling
)

select
    written.spelling,
    numerators.unit_code || '_per_' || per_spelling.code_tail as unit_code,
    numerators.symbol_zh || '/' || per_spelling.symbol_tail as symbol_zh,
    numerators.name_en || ' per ' || per_spelling.name_tail as name_en,
    numerators.quantity_kind || '_per_' || per_spelling.kind_tail as quantity_kind,
    numerators.base_unit_code || '_per_' || per_spelling.base_tail as base_unit_code,
    numerators.factor_to_base / per_spelling.denominator_factor as factor_to_base,
    numerator_bases.symbol_zh || '/' || per_spelling.base_symbol_tail as base_symbol_zh,
    numerator_bases.name_en || ' per ' || per_spelling.base_name_tail as base_name_en
from written
inner join per_spelling on written.spelling = per_spelling.spelling
inner join simple_units as numerators on split_part(written.spelling, '/', 1) = numerators.spelling
inner join {{ ref('stg_units') }} as numerator_bases on numerators.base_unit_code = numerator_bases.unit_code
where
    per_spelling.resolved_parts
    = array_length(string_to_array(split_part(written.spelling, '/', 2), '·'), 1)
