-- Every quantified statement, once: placed in its report, coded, classified, with its value in the
-- unit's base unit, its canonical indicator, and its kind (plan → fct_targets, review → fct_results, other → neither).
-- Incremental by report (macros/incremental_by_report.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_outdated_reports(ref('int_quantity_contexts')) }}"
) }}

select
    contexts.quantity_id as statement_id,
    contexts.statement_kind,
    contexts.kind_evidence,
    contexts.report_id,
    contexts.district_code,
    domains.domain_code,
    coded.unit_code,
    contexts.unit_text as unit_as_written,
    contexts.report_year,
    contexts.section_path,
    contexts.section_title,
    contexts.sentence_id,
    contexts.indicator,
    contexts.clause_text as clause,
    contexts.char_start,
    contexts.char_end,
    contexts.number_text,
    contexts.value,
    contexts.value_upper,
    coded.multiplier,
    coded.comparator,
    coded.firmness,
    coded.measure,
    coded.change_direction,
    contexts.value * coalesce(coded.change_direction, 1) as value_signed,
    contexts.base_cue as base_reference,
    contexts.distribution,
    contexts.item_no,
    contexts.in_main_targets as is_main_target,
    cast(contexts.value * coded.multiplier * units.factor_to_base as double precision) as value_base,
    cast(contexts.value_upper * coded.multiplier * units.factor_to_base as double precision) as value_upper_base,
    units.base_unit_code,
    contexts.baseline_value,
    coded.baseline_multiplier,
    cast(contexts.baseline_value * coded.baseline_multiplier * units.factor_to_base as double precision) as baseline_value_base,
    indicators.indicator_code,
    indicators.indicator_scope,
    contexts.report_version
from {{ ref('int_quantity_contexts') }} as contexts
inner join {{ ref('int_quantities_coded') }} as coded on contexts.quantity_id = coded.quantity_id
inner join {{ ref('int_quantity_domains') }} as domains on contexts.quantity_id = domains.quantity_id
left join {{ ref('int_units') }} as units on coded.unit_code = units.unit_code
inner join {{ ref('int_statement_indicators') }} as indicators on contexts.quantity_id = indicators.statement_id
where {{ is_new_report('contexts.report_version') }}
