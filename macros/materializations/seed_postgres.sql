{#- Seeds on PostgreSQL. `govtargets build --target postgres` has already copied every seed file into a
    table of text columns in its load schema (GOVTARGETS_SEED_LOAD_SCHEMA), with COPY, the fast path of
    PostgreSQL (govtargets.postgres.copy_seeds); dbt's own seed materialization would send the rows as
    batches of INSERTs. This one creates the seed's table from that copy, each column cast to the type its
    column_types give (every seed states them all), so a value that is not of its type fails here, named
    by the cast. Hooks, grants and persisted docs as in dbt's default. -#}
{% materialization seed, adapter='postgres' %}
    {%- set identifier = model['alias'] -%}
    {%- set load_schema = env_var('GOVTARGETS_SEED_LOAD_SCHEMA', '') -%}
    {%- if not load_schema -%}
        {{ exceptions.raise_compiler_error(
            "PostgreSQL seeds are copied in by `govtargets build --target postgres`: build with it") }}
    {%- endif -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set column_types = config.get('column_types') or {} -%}
    {%- set loaded = adapter.quote(load_schema) ~ '.' ~ adapter.quote(identifier) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% call statement('main') %}
        drop table if exists {{ target_relation.render() }} cascade;
        create table {{ target_relation.render() }} as
        select
            {%- for column, data_type in column_types.items() %}
            cast({{ column }} as {{ postgres_seed_type(data_type) }}) as {{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ loaded }}
    {% endcall %}
    {{ finish_seed(target_relation, post_hooks) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The PostgreSQL spelling of a seed column type written for DuckDB (column_types). -#}
{% macro postgres_seed_type(data_type) -%}
    {{ {'double': 'double precision'}.get(data_type | lower, data_type) }}
{%- endmacro %}
