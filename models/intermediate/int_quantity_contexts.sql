-- Each extracted quantity placed in its context, joined once for every model downstream: the
-- sentence it stands in (with the lead sentence that governs it), its innermost section (null before
-- the first heading) and its report (district and year). Incremental by report (macros/incremental_by_report.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_outdated_reports(ref('stg_reports')) }}"
) }}

select
    quantities.*,
    reports.district_code,
    reports.report_year,
    reports.report_version,
    sentences.statement_kind,
    sentences.kind_evidence,
    sentences.sentence_text,
    sentences.lead_text,
    sentences.in_main_targets,
    sections.section_path,
    sections.section_title
from {{ ref('stg_quantities') }} as quantities
inner join {{ ref('stg_sentences') }} as sentences on quantities.sentence_id = sentences.sentence_id
inner join {{ ref('stg_reports') }} as reports on quantities.report_id = reports.report_id
left join {{ ref('stg_sections') }} as sections on sentences.section_id = sections.section_id
where {{ is_new_report('reports.report_version') }}
