with domains as (
    select * from {{ ref('stg_domains') }}
),

unclassified as (
    select
        'unclassified' as domain_code,
        '未分类' as name_zh,
        'Unclassified' as name_en,
        'no domain keyword matched the target or its context' as scope
)

select domain_code, name_zh, name_en, scope from domains
union all
select domain_code, name_zh, name_en, scope from unclassified
