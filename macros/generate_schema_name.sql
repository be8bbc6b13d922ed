{#- Build into schemas named exactly as configured (staging, intermediate, marts, seeds), not
    <target_schema>_<custom>, so analysts and BI tools see stable names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
