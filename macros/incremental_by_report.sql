{#- Models incremental by report. Such a model carries each row's report_version (stg_reports: a digest
    of the report's file and manifest row). A full build takes every report. An incremental build
    (`govtargets build` into a copy of the published warehouse, when the project has not changed since
    that was built) first deletes the rows of reports that are gone or have another version now
    (delete_outdated_reports, a pre-hook, given a relation of the current versions), then adds the rows
    of the report versions the model has no rows of yet (is_new_report_version, a filter on the input).
    A row depends only on its own report, so the table is the one a full build makes. -#}

{% macro is_new_report_version(report_version) -%}
    {%- if is_incremental() -%}
        {{ report_version }} not in (select distinct report_version from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro delete_outdated_reports(current_versions) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where report_version not in (select report_version from {{ current_versions }})
    {%- endif -%}
{%- endmacro %}

{#- A model whose rows depend on the report's file alone (its text), not on its manifest row: keyed by
    report_id, which is the file's digest. Rows of reports that are gone are deleted; reports the model
    has no rows of are added. -#}
{% macro is_new_report(report_id) -%}
    {%- if is_incremental() -%}
        {{ report_id }} not in (select distinct report_id from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro delete_gone_reports(current_reports) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where report_id not in (select report_id from {{ current_reports }})
    {%- endif -%}
{%- endmacro %}
