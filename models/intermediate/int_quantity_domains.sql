-- Classify each quantity into a policy domain by keyword. The indicator (what is counted) decides first:
-- the domain of its strongest keyword, among equally strong ones the keyword nearest its end (the head
-- noun), then the summed weights of each domain's keywords in it; the wider contexts only break ties,
-- nearest first: clause, the governing lead sentence, the sentence, the section title.
-- Remaining ties go to the domain first in the taxonomy (domains.sort_order); a quantity no keyword
-- matches gets the taxonomy's fallback domain (domains.is_fallback).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_outdated_reports(ref('int_quantity_contexts')) }}"
) }}

with contexts as (
    -- incremental by report (macros/incremental_by_report.sql)
    select * from {{ ref('int_quantity_contexts') }}
    where {{ is_new_report('report_version') }}
),

domains as (
    select * from {{ ref('stg_domains') }}
),

keywords as (
    select * from {{ ref('stg_domain_keywords') }}
),

-- keyword hits are a function of the text they are in: found once per sentence, and once per distinct
-- indicator, lead sentence and section title (many quantities share them), not once per quantity
sentence_hits as (
    select
        sentences.sentence_id,
        keywords.keyword,
        keywords.domain_code,
        keywords.weight
    from (select distinct sentence_id, sentence_text from contexts) as sentences
    inner join keywords on {{ text_contains('sentences.sentence_text', "keywords.keyword") }}
),

-- the indicator, lead sentence and section title of each quantity, one row each
quantity_texts as (
    select
        quantity_id,
        'indicator' as context,
        indicator as context_text
    from contexts
    union all
    select
        quantity_id,
        'lead' as context,
        lead_text as context_text
    from contexts
    union all
    select
        quantity_id,
        'section' as context,
        section_title as context_text
    from contexts
),

text_hits as (
    select
        context_texts.context,
        context_texts.context_text,
        keywords.domain_code,
        keywords.weight,
        -- where the keyword ends in the text, from its last occurrence: Chinese puts the head noun last
        -- (农村合作医疗 is health, 农民工工资 employment), so in the indicator the keyword nearest the end
        -- names it
        length(context_texts.context_text)
        - strpos(reverse(context_texts.context_text), reverse(keywords.keyword)) + 1 as head_position
    from (select distinct context, context_text from quantity_texts) as context_texts
    inner join keywords on {{ text_contains('context_texts.context_text', "keywords.keyword") }}
),

-- one row per quantity, context and keyword in it; a missing context (no lead sentence, no section)
-- has none
quantity_hits as (
    select
        quantity_texts.quantity_id,
        text_hits.context,
        text_hits.domain_code,
        text_hits.weight,
        text_hits.head_position
    from quantity_texts
    inner join text_hits
        on quantity_texts.context = text_hits.context and quantity_texts.context_text = text_hits.context_text
    union all
    -- the clause is part of its sentence: only the sentence's keywords can be in it
    select
        contexts.quantity_id,
        case when {{ text_contains('contexts.clause_text', "sentence_hits.keyword") }} then 'clause' else 'sentence' end
            as context,
        sentence_hits.domain_code,
        sentence_hits.weight,
        0 as head_position
    from contexts
    inner join sentence_hits on contexts.sentence_id = sentence_hits.sentence_id
),

domain_scores as (
    select
        quantity_id,
        domain_code,
        coalesce(sum(weight) filter (where context = 'indicator'), 0) as indicator_score,
        coalesce(max(weight) filter (where context = 'indicator'), 0) as indicator_strength,
        coalesce(max(head_position) filter (where context = 'indicator'), 0) as head_position,
        coalesce(sum(weight) filter (where context = 'clause'), 0) as clause_score,
        coalesce(sum(weight) filter (where context = 'lead'), 0) as lead_score,
        -- a keyword of the clause is in the sentence too
        coalesce(sum(weight) filter (where context in ('clause', 'sentence')), 0) as sentence_score,
        coalesce(sum(weight) filter (where context = 'section'), 0) as section_score
    from quantity_hits
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
    coalesce(ranked.indicator_score, 0) as indicator_score,
    contexts.report_version
from contexts
cross join fallback
left join ranked
    on contexts.quantity_id = ranked.quantity_id and ranked.rank_in_quantity = 1
