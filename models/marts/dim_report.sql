-- Report metadata; the text itself is in dim_report_text, one wide column read only when needed.
select {{ star_except(ref('stg_reports'), ['report_text', 'report_version']) }} from {{ ref('stg_reports') }}
