-- Classify each quantity into a policy domain by keyword. The indicator (what is counted) decides first:
-- the domain of its strongest keyword, among equally strong ones the keyword nearest its end (the head
-- noun), then the summed weights of each domain's keywords in it; the wider contexts only break ties, nearest first: clause, the governing lead
-- sentence, the sentence, the section title.
-- Remaining ties go to the domain first in the taxonomy (domains.sort_order); a quantity no keyword
-- matches gets the taxonomy's fallback domain (domains.is_fallback).
with contexts as (
    select * from {{ ref('int_quantity_contexts') }}
),

domains as (
    select * from {{ ref('stg_domains') }}
),

keyword_hits as (
    select
        contexts.quantity_id,
        keywords.domain_code,
        -- a missing context (no lead sentence, no section) scores nothing
        case when contains(contexts.indicator, keywords.keyword) then keywords.weight else 0 end as indicator_score,
        -- where the keyword ends in the indicator, from its last occurrence: Chinese puts the head noun
        -- last (农村合作医疗 is health, 农民工工资 employment), so the keyword nearest the end names it
        case
            when contains(contexts.indicator, keywords.keyword)
                then length(contexts.indicator) - strpos(reverse(contexts.indicator), reverse(keywords.keyword)) + 1
            else 0
        end as head_position,
        case when contains(contexts.clause_text, keywords.keyword) then keywords.weight else 0 end as clause_score,
        case when contains(contexts.lead_text, keywords.keyword) then keywords.weight else 0 end as lead_score,
        case when contains(contexts.sentence_text, keywords.keyword) then keywords.weight else 0 end as sentence_score,
        case when contains(contexts.section_title, keywords.keyword) then keywords.weight else 0 end as section_score
    from contexts
    inner join {{ ref('stg_domain_keywords') }} as keywords
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
        max(indicator_score) as indicator_strength,
        max(head_position) as head_position,
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
                domain_scores.indicator_strength desc,
                domain_scores.head_position desc,
                domain_scores.indicator_score desc,
                domain_scores.clause_score desc,
                domain_scores.lead_score desc,
                domain_scores.sentence_score desc,
                domain_scores.section_score desc,
                domains.sort_order asc
        ) as rank_in_quantity
    from domain_scores
    inner join domains on domain_scores.domain_code = domains.domain_code
),

fallback as (
    select domain_code from domains where is_fallback
)

select
    contexts.quantity_id,
    coalesce(ranked.domain_code, fallback.domain_code) as domain_code,
    coalesce(ranked.indicator_score, 0) as indicator_score
from contexts
cross join fallback
left join ranked
    on contexts.quantity_id = ranked.quantity_id and ranked.rank_in_quantity = 1
