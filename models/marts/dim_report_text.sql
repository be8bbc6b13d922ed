-- The decoded text of each report, which every char_start/char_end of the facts points into.
-- Incremental by report, keyed by the report's version (macros/incremental_by_report.sql): the same bytes
-- under another file name may be read by another reader (.txt or .html) and decode to another text.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_outdated_reports(ref('stg_reports')) }}"
) }}

select
    report_id,
    report_text,
    report_version
from {{ ref('stg_reports') }}
where {{ is_new_report('report_version') }}
