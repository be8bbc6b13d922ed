{#- Models incremental by report. Such a model carries each row's report_version (stg_reports: a digest
    of all that decides the report's rows: its file's bytes and name, which chooses the reader, its
    manifest row and the extractor). A full build takes every report. An incremental build (`govtargets
    build` into a copy of the published warehouse, when the project has not changed since that was built)
    first deletes the rows of reports that are gone or changed (delete_outdated_reports, a pre-hook,
    given a relation of the current versions), then adds the rows of the reports the model has no rows
    of yet (is_new_report, a filter on the input). A row depends only on its own report, so the table is
    the one a full build makes. -#}

{% macro is_new_report(expression) -%}
    {%- if is_incremental() -%}
        {{ expression }} not in (select distinct report_version from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro delete_outdated_reports(current) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where report_version not in (select report_version from {{ current }})
    {%- endif -%}
{%- endmacro %}
