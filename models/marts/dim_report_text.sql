-- The decoded text of each report, which every char_start/char_end of the facts points into.
-- Incremental by report: a report's text depends on its file alone (macros/incremental_by_report.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_outdated_reports(ref('stg_reports'), key='report_id') }}"
) }}

select
    report_id,
    report_text
from {{ ref('stg_reports') }}
where {{ is_new_report('report_id', key='report_id') }}
