{#- Build into schemas named exactly as configured (staging, intermediate, marts, seeds), not
    <target_schema>_<custom>, so analysts and BI tools see stable names. A PostgreSQL build writes
    private schemas first (GOVTARGETS_SCHEMA_PREFIX, set by `govtargets build --target postgres`) and
    publishes them by renaming (govtargets.postgres). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ env_var('GOVTARGETS_SCHEMA_PREFIX', '') }}{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
