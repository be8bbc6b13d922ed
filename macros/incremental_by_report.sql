{#- Models incremental by report. Such a model carries each row's report key: report_version
    (stg_reports: a digest of the report's file and manifest row), or report_id for rows that depend on
    the file alone (its text; report_id is the file's digest). A full build takes every report. An
    incremental build (`govtargets build` into a copy of the published warehouse, when the project has not
    changed since that was built) first deletes the rows of reports that are gone or changed
    (delete_outdated_reports, a pre-hook, given a relation of the current keys), then adds the rows of the
    reports the model has no rows of yet (is_new_report, a filter on the input). A row depends only on its
    own report, so the table is the one a full build makes. -#}

{% macro is_new_report(expression, key='report_version') -%}
    {%- if is_incremental() -%}
        {{ expression }} not in (select distinct {{ key }} from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro delete_outdated_reports(current, key='report_version') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ key }} not in (select {{ key }} from {{ current }})
    {%- endif -%}
{%- endmacro %}
