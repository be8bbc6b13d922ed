{#- Where DuckDB and PostgreSQL differ, the models call these macros, dispatched per adapter
    (duckdb__…, postgres__…). What both engines spell alike (string_agg … order by, string_to_array,
    unnest, generate_subscripts, strpos, filter (where …), row_number) is written in the models as is. -#}

{#- Whether text contains a substring (no pattern). -#}
{% macro text_contains(text, substring) -%}
    {{ return(adapter.dispatch('text_contains', 'govtargets')(text, substring)) }}
{%- endmacro %}

{% macro duckdb__text_contains(text, substring) -%}
    contains({{ text }}, {{ substring }})
{%- endmacro %}

{% macro postgres__text_contains(text, substring) -%}
    (strpos({{ text }}, {{ substring }}) > 0)
{%- endmacro %}

{#- Whether a regular expression matches anywhere in text. The patterns the models use (classes,
    alternation, (?:…), \d, {m,n}) mean the same in DuckDB's RE2 and PostgreSQL's advanced regular
    expressions. -#}
{% macro regex_matches(text, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'govtargets')(text, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_matches(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regex_matches(text, pattern) -%}
    ({{ text }} ~ {{ pattern }})
{%- endmacro %}

{#- One row per match of a pattern in text: the text of its capture group `group`. A set-returning
    expression for a select list. -#}
{% macro regex_matches_as_rows(text, pattern, group=1) -%}
    {{ return(adapter.dispatch('regex_matches_as_rows', 'govtargets')(text, pattern, group)) }}
{%- endmacro %}

{% macro duckdb__regex_matches_as_rows(text, pattern, group) -%}
    unnest(regexp_extract_all({{ text }}, {{ pattern }}, {{ group }}))
{%- endmacro %}

{% macro postgres__regex_matches_as_rows(text, pattern, group) -%}
    (regexp_matches({{ text }}, {{ pattern }}, 'g'))[{{ group }}]
{%- endmacro %}

{#- The value of the row with the smallest ordering, an aggregate (ties: any of them). -#}
{% macro value_at_min(value, ordering) -%}
    {{ return(adapter.dispatch('value_at_min', 'govtargets')(value, ordering)) }}
{%- endmacro %}

{% macro duckdb__value_at_min(value, ordering) -%}
    arg_min({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro postgres__value_at_min(value, ordering) -%}
    (array_agg({{ value }} order by {{ ordering }}))[1]
{%- endmacro %}

{#- The product of a column of positive doubles, an aggregate. PostgreSQL has none built in: the build
    creates one (govtargets_product, from float8mul) before the models run, see create_product_aggregate. -#}
{% macro product_of(value) -%}
    {{ return(adapter.dispatch('product_of', 'govtargets')(value)) }}
{%- endmacro %}

{% macro duckdb__product_of(value) -%}
    product({{ value }})
{%- endmacro %}

{% macro postgres__product_of(value) -%}
    {{ product_aggregate_schema() }}.govtargets_product(cast({{ value }} as double precision))
{%- endmacro %}

{#- An on-run-start hook: the product aggregate, where the engine needs one. It lives in the build's
    intermediate schema, the only schema whose models call it. -#}
{% macro create_product_aggregate() -%}
    {{ return(adapter.dispatch('create_product_aggregate', 'govtargets')()) }}
{%- endmacro %}

{% macro default__create_product_aggregate() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_product_aggregate() -%}
    create schema if not exists {{ product_aggregate_schema() }};
    create or replace aggregate {{ product_aggregate_schema() }}.govtargets_product (double precision) (
        sfunc = float8mul, stype = double precision
    )
{%- endmacro %}

{% macro product_aggregate_schema() -%}
    {{ generate_schema_name('intermediate', none) }}
{%- endmacro %}

{#- A digest of several columns, nulls included (md5 of the row as text). -#}
{% macro row_digest(columns) -%}
    {{ return(adapter.dispatch('row_digest', 'govtargets')(columns)) }}
{%- endmacro %}

{% macro duckdb__row_digest(columns) -%}
    md5(cast(struct_pack({{ columns | join(', ') }}) as varchar))
{%- endmacro %}

{% macro postgres__row_digest(columns) -%}
    md5(cast(row({{ columns | join(', ') }}) as text))
{%- endmacro %}

{#- Text ordered by code point, as DuckDB orders it: PostgreSQL would otherwise order by the database's
    collation (en_US.UTF-8 and the like), and ties broken by text would differ between the engines. -#}
{% macro by_code_point(text) -%}
    {{ return(adapter.dispatch('by_code_point', 'govtargets')(text)) }}
{%- endmacro %}

{% macro duckdb__by_code_point(text) -%}
    {{ text }}
{%- endmacro %}

{% macro postgres__by_code_point(text) -%}
    {{ text }} collate "C"
{%- endmacro %}

{#- The columns of a relation but the excepted ones, comma-separated, in the relation's order: DuckDB's
    `* exclude (…)` in a form every engine reads. While dbt parses (no database yet) it is `*`. -#}
{% macro star_except(relation, excepted) -%}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set excepted_lower = excepted | map('lower') | list -%}
    {%- set kept = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.name | lower not in excepted_lower -%}
            {%- do kept.append(adapter.quote(column.name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if kept | length == 0 -%}
        {{ exceptions.raise_compiler_error("star_except: no columns left of " ~ relation) }}
    {%- endif -%}
    {{ return(kept | join(', ')) }}
{%- endmacro %}
