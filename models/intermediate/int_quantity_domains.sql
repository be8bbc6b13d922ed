-- Classify each quantity into a policy domain by keyword. Each domain scores the summed weights of its
-- keywords found in each context; the indicator (what is counted) decides first, and the wider contexts
-- only break ties, nearest first: clause, the governing lead sentence, the sentence, the section title.
-- Remaining ties go to the domain listed first in the taxonomy.
with quantities as (
    select * from {{ ref('stg_quantities') }}
),

sentences as (
    select * from {{ ref('stg_sentences') }}
),

sections as (
    select * from {{ ref('stg_sections') }}
),

keywords as (
    select * from {{ ref('stg_domain_keywords') }}
),

domains as (
    select
        domain_code,
        row_number() over () as taxonomy_order
    from {{ ref('stg_domains') }}
),

contexts as (
    select
        quantities.quantity_id,
        quantities.indicator,
        quantities.clause_text,
        sentences.sentence_text,
        sentences.lead_text,
        coalesce(sections.section_title, '') as section_title
    from quantities
    inner join sentences on quantities.sentence_id = sentences.sentence_id
    left join sections on sentences.section_id = sections.section_id
),

keyword_hits as (
    select
        contexts.quantity_id,
        keywords.domain_code,
        keywords.weight * cast(contains(contexts.indicator, keywords.keyword) as integer) as indicator_score,
        keywords.weight * cast(contains(contexts.clause_text, keywords.keyword) as integer) as clause_score,
        keywords.weight * cast(contains(contexts.lead_text, keywords.keyword) as integer) as lead_score,
        keywords.weight * cast(contains(contexts.sentence_text, keywords.keyword) as integer) as sentence_score,
        keywords.weight * cast(contains(contexts.section_title, keywords.keyword) as integer) as section_score
    from contexts
    inner join keywords
        on
            contains(contexts.sentence_text, keywords.keyword)
            or contains(contexts.indicator, keywords.keyword)
            or contains(contexts.lead_text, keywords.keyword)
            or contains(contexts.section_title, keywords.keyword)
),

domain_scores as (
    select
        quantity_id,
        domain_code,
        sum(indicator_score) as indicator_score,
        sum(clause_score) as clause_score,
        sum(lead_score) as lead_score,
        sum(sentence_score) as sentence_score,
        sum(section_score) as section_score
    from keyword_hits
    group by quantity_id, domain_code
),

ranked as (
    select
        domain_scores.quantity_id,
        domain_scores.domain_code,
        domain_scores.indicator_score,
        row_number() over (
            partition by domain_scores.quantity_id
            order by
                domain_scores.indicator_score desc,
                domain_scores.clause_score desc,
                domain_scores.lead_score desc,
                domain_scores.sentence_score desc,
                domain_scores.section_score desc,
                domains.taxonomy_order asc
        ) as rank_in_quantity
    from domain_scores
    inner join domains on domain_scores.domain_code = domains.domain_code
)

select
    quantities.quantity_id,
    coalesce(ranked.domain_code, 'unclassified') as domain_code,
    coalesce(ranked.indicator_score, 0) as indicator_score
from quantities
left join ranked
    on quantities.quantity_id = ranked.quantity_id and ranked.rank_in_quantity = 1
