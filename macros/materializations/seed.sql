{#- Seeds loaded by DuckDB itself. dbt's own seed materialization first reads the whole CSV into an
    agate table in Python: 8 s for the 500,000 sentences of a thousand reports, where DuckDB's
    read_csv takes half a second. This one creates the table straight from the file, typed by the
    seed's column_types (every seed states them all), and states the CSV dialect the loaders write
    (RFC 4180: fields quoted with ", a quote inside a field doubled) instead of letting DuckDB's sniffer
    guess it: the sniffer only samples the file and misreads a doubled quote (“加强""三河三湖""”) that
    first appears late. A seed with a merge_key (the extracted seeds) that finds its table already
    there writes only the rows that changed. Hooks, grants and persisted docs as in dbt's default. -#}
{% materialization seed, adapter='duckdb' %}
    {%- set identifier = model['alias'] -%}
    {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
    {%- if old_relation is not none and old_relation.is_view -%}
        {{ exceptions.raise_compiler_error("Cannot seed to '{}', it is a view".format(old_relation.render())) }}
    {%- endif -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set column_types = config.get('column_types') or {} -%}
    {%- set types = [] -%}
    {%- for column, data_type in column_types.items() -%}
        {%- do types.append("'" ~ column ~ "': '" ~ data_type ~ "'") -%}
    {%- endfor -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set read_seed -%}
        select * from read_csv(
            {{ seed_file_literal(adapter.get_seed_file_path(model)) }},
            header = true, delimiter = '{{ config.get("delimiter", ",") }}', quote = '"', escape = '"',
            strict_mode = true, auto_detect = true, sample_size = -1
            {%- if types %}, types = { {{ types | join(', ') }} }{% endif %}
        )
    {%- endset -%}
    {%- set merge_key = config.get('merge_key') -%}
    {%- if merge_key and old_relation is not none and not should_full_refresh()
        and _seed_columns_match(old_relation, column_types) -%}
        {#- A table this seed made before (an incremental build starts from a copy of the published
            warehouse): only the rows that differ are written. A row of the table that the file does
            not have as it is (same key, every field the same) is deleted; a row of the file that the
            table does not have as it is, is inserted. Rows are compared whole, not by a hash; a row the
            file holds twice is inserted twice, for the unique tests to see. -#}
        {%- set incoming = identifier ~ '__incoming' -%}
        {% call statement('main') %}
            create or replace temp table {{ incoming }} as {{ read_seed }};
            delete from {{ target_relation.render() }} where {{ merge_key }} in (
                select kept.{{ merge_key }} from {{ target_relation.render() }} as kept
                anti join {{ incoming }} as file_row
                    on file_row.{{ merge_key }} = kept.{{ merge_key }} and file_row is not distinct from kept
            );
            insert into {{ target_relation.render() }}
            select file_row.* from {{ incoming }} as file_row
            anti join {{ target_relation.render() }} as kept
                on file_row.{{ merge_key }} = kept.{{ merge_key }} and file_row is not distinct from kept;
            drop table {{ incoming }}
        {% endcall %}
    {%- else -%}
        {% call statement('main') %}
            create or replace table {{ target_relation.render() }} as {{ read_seed }}
        {% endcall %}
    {%- endif %}
    {{ finish_seed(target_relation, post_hooks) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The end of a seed materialization (this one and seed_postgres.sql): dbt's seed runner reads back an
    agate table (for `dbt seed --show`), for which the row count stands in; then grants, persisted docs,
    post-hooks and the commit, as in dbt's default. -#}
{% macro finish_seed(target_relation, post_hooks) %}
    {% set counted = run_query('select count(*) as row_count from ' ~ target_relation.render()) %}
    {% do store_result('agate_table', response='OK', agate_table=counted) %}

    {% do apply_grants(target_relation, config.get('grants'), should_revoke=false) %}
    {% do persist_docs(target_relation, model) %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
{% endmacro %}

{#- Whether a seed's existing table has the columns, in order, that its column_types give. -#}
{% macro _seed_columns_match(relation, column_types) %}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {{ return(existing == (column_types.keys() | map('lower') | list)) }}
{% endmacro %}

{#- A file path as a DuckDB string literal for read_csv: a quote doubled (no other character is special in
    a standard string literal: a backslash is itself), and the glob characters read_csv would expand
    (* ? [) each in a class of its own, so that a folder named x[1] is not read as x1. -#}
{% macro seed_file_literal(path) -%}
    '{{ path | replace("[", "[[]") | replace("*", "[*]") | replace("?", "[?]") | replace("'", "''") }}'
{%- endmacro %}
