-- Targets per district, year and domain, with Chinese and English labels, for BI dashboards.
with counts as (
    select
        district_code,
        report_year,
        domain_code,
        count(*) as target_count,
        count(*) filter (where firmness = 'binding') as binding_count,
        count(*) filter (where firmness = 'aspirational') as aspirational_count,
        count(*) filter (where firmness = 'plain') as plain_count
    from {{ ref('fct_targets') }}
    group by district_code, report_year, domain_code
)

select
    counts.district_code,
    districts.name_zh as district_name_zh,
    districts.name_en as district_name_en,
    counts.report_year,
    counts.domain_code,
    domains.name_zh as domain_name_zh,
    domains.name_en as domain_name_en,
    counts.target_count,
    counts.binding_count,
    counts.aspirational_count,
    counts.plain_count
from counts
inner join {{ ref('dim_district') }} as districts on counts.district_code = districts.district_code
inner join {{ ref('dim_domain') }} as domains on counts.domain_code = domains.domain_code
