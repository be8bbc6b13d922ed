with reports as (
    select
        *,
        -- the extractor that read the reports (a digest of the loaders' code and vocabularies)
        '{{ env_var("GOVTARGETS_EXTRACTOR_VERSION", "none") | replace("'", "''") }}' as extractor_version
    from {{ ref('reports') }}
)

select
    report_id,
    source_file,
    district_code,
    report_year,
    title,
    source_url,
    encoding,
    script,
    char_count,
    sha256,
    report_text,
    -- what a report's rows are made from: its file (the name chooses the reader), its manifest row and
    -- the extractor that read it
    {{ row_digest(
        ['report_id', 'sha256', 'source_file', 'district_code', 'report_year', 'title', 'source_url', 'encoding', 'script',
         'extractor_version']
    ) }} as report_version
from reports
