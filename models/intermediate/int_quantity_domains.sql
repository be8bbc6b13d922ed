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

keywords as (
    select * from {{ ref('stg_domain_keywords') }}
),

-- keyword hits are a function of the text they are in: each is found once per sentence, and once per
-- distinct indicator, lead sentence and section title (many quantities share them), not once per quantity
sentence_hits as (
    select
        sentences.sentence_id,
        keywords.keyword,
        keywords.domain_code,
        keywords.weight
    from (select distinct sentence_id, sentence_text from contexts) as sentences
    inner join keywords on contains(sentences.sentence_text, keywords.keyword)
),

indicator_hits as (
    select
        indicators.indicator,
        keywords.domain_code,
        keywords.weight,
        -- where the keyword ends in the indicator, from its last occurrence: Chinese puts the head noun
        -- last (农村合作医疗 is health, 农民工工资 employment), so the keyword nearest the end names it
        length(indicators.indicator) - strpos(reverse(indicators.indicator), reverse(keywords.keyword)) + 1
            as head_position
    from (select distinct indicator from contexts) as indicators
    inner join keywords on contains(indicators.indicator, keywords.keyword)
),

lead_hits as (
    select
        leads.lead_text,
        keywords.domain_code,
        keywords.weight
    from (select distinct lead_text from contexts) as leads
    inner join keywords on contains(leads.lead_text, keywords.keyword)
),

section_hits as (
    select
        sections.section_title,
        keywords.domain_code,
        keywords.weight
    from (select distinct section_title from contexts) as sections
    inner join keywords on contains(sections.section_title, keywords.keyword)
),

-- one row per quantity, domain and context a keyword of the domain is in, with its score in the
-- column of that context; a missing context (no lead sentence, no section) scores nothing
context_scores as (
    select
        contexts.quantity_id,
        indicator_hits.domain_code,
        indicator_hits.weight as indicator_score,
        indicator_hits.head_position,
        0 as clause_score,
        0 as lead_score,
        0 as sentence_score,
        0 as section_score
    from contexts
    inner join indicator_hits on contexts.indicator = indicator_hits.indicator
    union all
    -- the clause is part of its sentence: only the sentence's keywords can be in it
    select
        contexts.quantity_id,
        sentence_hits.domain_code,
        0 as indicator_score,
        0 as head_position,
        case when contains(contexts.clause_text, sentence_hits.keyword) then sentence_hits.weight else 0 end
            as clause_score,
        0 as lead_score,
        sentence_hits.weight as sentence_score,
        0 as section_score
    from contexts
    inner join sentence_hits on contexts.sentence_id = sentence_hits.sentence_id
    union all
    select
        contexts.quantity_id,
        lead_hits.domain_code,
        0 as indicator_score,
        0 as head_position,
        0 as clause_score,
        lead_hits.weight as lead_score,
        0 as sentence_score,
        0 as section_score
    from contexts
    inner join lead_hits on contexts.lead_text = lead_hits.lead_text
    union all
    select
        contexts.quantity_id,
        section_hits.domain_code,
        0 as indicator_score,
        0 as head_position,
        0 as clause_score,
        0 as lead_score,
        0 as sentence_score,
        section_hits.weight as section_score
    from contexts
    inner join section_hits on contexts.section_title = section_hits.section_title
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
    from context_scores
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
