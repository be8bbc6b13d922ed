-- Every quantified statement with its context and normalised value: the common shape of
-- fct_targets (plan) and fct_results (review).
with coded as (
    select * from {{ ref('int_quantities_coded') }}
),

domains as (
    select * from {{ ref('int_quantity_domains') }}
),

sentences as (
    select * from {{ ref('stg_sentences') }}
),

sections as (
    select * from {{ ref('stg_sections') }}
),

reports as (
    select * from {{ ref('stg_reports') }}
),

units as (
    select * from {{ ref('stg_units') }}
)

select
    coded.quantity_id as statement_id,
    coded.report_id,
    reports.district_code,
    domains.domain_code,
    coded.unit_code,
    coded.unit_as_written,
    reports.report_year,
    sentences.statement_kind,
    sections.section_path as section_no,
    sections.section_title,
    coded.sentence_id,
    coded.indicator,
    coded.clause_text as clause,
    coded.clause_start as char_start,
    coded.clause_end as char_end,
    coded.number_text,
    coded.value,
    coded.value_upper,
    coded.multiplier,
    coded.comparator,
    coded.firmness,
    coded.measure,
    coded.change_direction,
    coded.value * coalesce(coded.change_direction, 1) as value_signed,
    coded.base_reference,
    coded.distribution,
    coded.item_no,
    sentences.in_main_targets as is_main_target,
    cast(coded.value * coded.multiplier * units.factor_to_base as double) as value_base,
    cast(coded.value_upper * coded.multiplier * units.factor_to_base as double) as value_upper_base,
    units.base_unit_code
from coded
inner join sentences on coded.sentence_id = sentences.sentence_id
inner join reports on coded.report_id = reports.report_id
left join sections on sentences.section_id = sections.section_id
left join domains on coded.quantity_id = domains.quantity_id
left join units on coded.unit_code = units.unit_code
