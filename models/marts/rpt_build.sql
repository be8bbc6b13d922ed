-- The build that made this warehouse: one row. The fingerprint tells the next `govtargets build`
-- whether it may add to this warehouse (incremental by report) or must build it again from the start.
select
    '{{ env_var("GOVTARGETS_BUILD_FINGERPRINT", "none") }}' as build_fingerprint,
    '{{ dbt_version }}' as dbt_version,
    cast((select count(*) from {{ ref('dim_report') }}) as integer) as report_count,
    cast(current_timestamp as timestamp with time zone) as built_at
