{#- Load a seed with DuckDB's COPY, stating the CSV dialect the loaders write (RFC 4180: fields quoted
    with ", a quote inside a field doubled) instead of letting DuckDB's sniffer guess it: the sniffer
    only samples the file and misreads a doubled quote (“加强""三河三湖""”) that first appears late. -#}
{% macro duckdb__load_csv_rows(model, agate_table) %}
    {% set seed_file_path = adapter.get_seed_file_path(model) %}
    {% set delimiter = config.get('delimiter', ',') %}
    {% set sql %}
        copy {{ this.render() }} from '{{ seed_file_path }}'
        (format csv, header true, delimiter '{{ delimiter }}', quote '"', escape '"', strict_mode true)
    {% endset %}
    {% do adapter.add_query(sql, abridge_sql_log=True) %}
    {{ return(sql) }}
{% endmacro %}
