-- Each statement's canonical indicator (seeds/reference/indicators.csv) and its scope.
-- The indicator: among the aliases of indicator_aliases.csv that the extracted indicator contains (or
-- is, for exact aliases), with the clause cue in the clause, the measure the alias needs and none of its
-- not_with words in the indicator, and whose indicator has the quantity kind of the statement's unit
-- (and, for a level or ratio indicator, a statement that states a level), the highest priority wins,
-- then the longest alias, then the first indicator code and alias by code point (a tie broken the same
-- way on every engine and in every run).
-- The scope: year (one year of the report's own region: the report's year for a plan statement, the
-- year before for a review) unless a cue of indicator_scope_cues.csv or a named year takes it out:
-- other_region, multi_year (年均, 累计, 到2030年 after the report's year, a base year before the year
-- before), sub_year (一季度, 1—11月), other_year (a year named in the clause that is not the statement's),
-- restated_target (a review quoting the year's target: 年初确定的…).
-- indicator_code is the matched indicator for statements of scope year only: a five-year average or
-- another region's figure is never a point of the region's annual series.
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

growth_clauses as (
    -- clauses that say growth: a measure cue of a rise (增长, 涨幅, 增速) anywhere in them
    select distinct contexts.quantity_id
    from contexts
    inner join {{ ref('stg_measure_cues') }} as cues
        on cues.measure = 'change' and cues.direction = 1 and {{ text_contains('contexts.clause_text', "cues.cue") }}
),

statements as (
    select
        contexts.quantity_id as statement_id,
        contexts.statement_kind,
        contexts.indicator,
        contexts.clause_text,
        {{ text_contains('contexts.clause_text', "'分别'") }} as distributes,
        -- full-width digits read as ASCII for the year patterns below (１９９７年)
        translate(contexts.clause_text, '０１２３４５６７８９', '0123456789') as clause_digits,
        translate(contexts.sentence_text, '０１２３４５６７８９', '0123456789') as sentence_digits,
        contexts.sentence_text,
        contexts.section_title,
        contexts.distribution,
        contexts.base_cue,
        contexts.baseline_value is not null as has_baseline,
        contexts.district_code,
        contexts.report_version,
        coded.measure,
        growth_clauses.quantity_id is not null as says_growth,
        units.quantity_kind,
        case
            when contexts.statement_kind = 'review' then contexts.report_year - 1 else contexts.report_year
        end as statement_year
    from contexts
    inner join {{ ref('int_quantities_coded') }} as coded on contexts.quantity_id = coded.quantity_id
    left join {{ ref('int_units') }} as units on coded.unit_code = units.unit_code
    left join growth_clauses on contexts.quantity_id = growth_clauses.quantity_id
),

aliases as (
    select * from {{ ref('stg_indicator_aliases') }}
),

alias_exclusions as (
    select
        alias,
        indicator_code,
        unnest(string_to_array(not_with, '|')) as excluded_word
    from aliases
    where not_with is not null
),

alias_matches as (
    select
        statements.statement_id,
        statements.indicator,
        aliases.alias,
        aliases.indicator_code,
        aliases.priority
    from statements
    inner join aliases
        on
            (aliases.match_mode = 'exact' and statements.indicator = aliases.alias)
            or (aliases.match_mode = 'contains' and {{ text_contains('statements.indicator', "aliases.alias") }})
    inner join {{ ref('stg_indicators') }} as indicators
        on
            aliases.indicator_code = indicators.indicator_code
            and statements.quantity_kind = indicators.quantity_kind
    where
        (aliases.clause_cue is null or {{ text_contains('statements.clause_text', "aliases.clause_cue") }})
        and (aliases.measure is null or aliases.measure = statements.measure)
        -- an amount or a rate is stated as a level (比上年增加5700亿元 is a change of the deficit, not
        -- it), unless the alias asks for a change (贫困人口减少1000万); a growth rate is a change, or a
        -- level in a clause that says growth (增长7%以上、力争达到8%)
        and (
            aliases.measure is not null
            or (indicators.measure in ('level', 'ratio') and statements.measure = 'level')
            or (indicators.measure = 'growth' and (statements.measure = 'change' or statements.says_growth))
            or indicators.measure not in ('level', 'ratio', 'growth')
        )
        -- 城乡居民…分别增长5%和7%: with 分别 each figure is one group, not what the alias names
        and not (aliases.single_item_only and (statements.distribution is not null or statements.distributes))
        -- 比上年分别下降3.14%和4.66% after 化学需氧量、二氧化硫排放总量…: a 分别 clause that does not name
        -- the indicator it was given distributes over a list the extractor did not see
        and not (statements.distributes and not {{ text_contains('statements.clause_text', "statements.indicator") }})
),

voided_matches as (
    select distinct
        alias_matches.statement_id,
        alias_matches.alias,
        alias_matches.indicator_code
    from alias_matches
    inner join alias_exclusions
        on
            alias_matches.alias = alias_exclusions.alias
            and alias_matches.indicator_code = alias_exclusions.indicator_code
            and {{ text_contains('alias_matches.indicator', "alias_exclusions.excluded_word") }}
),

best_matches as (
    select
        alias_matches.statement_id,
        alias_matches.alias,
        alias_matches.indicator_code,
        row_number() over (
            partition by alias_matches.statement_id
            order by
                alias_matches.priority desc,
                length(alias_matches.alias) desc,
                {{ by_code_point('alias_matches.indicator_code') }},
                {{ by_code_point('alias_matches.alias') }}
        ) as match_rank
    from alias_matches
    left join voided_matches
        on
            alias_matches.statement_id = voided_matches.statement_id
            and alias_matches.alias = voided_matches.alias
            and alias_matches.indicator_code = voided_matches.indicator_code
    where voided_matches.statement_id is null
),

cue_scopes as (
    select
        statements.statement_id,
        cues.scope
    from statements
    inner join {{ ref('stg_regions') }} as regions on statements.district_code = regions.district_code
    inner join {{ ref('stg_indicator_scope_cues') }} as cues
        on
            regions.level is distinct from cues.except_level
            -- a review that quotes a target; in the plan, 预期目标 introduces the target itself
            and (cues.scope <> 'restated_target' or statements.statement_kind = 'review')
            and (
                (cues.looked_in = 'indicator' and {{ text_contains('statements.indicator', "cues.cue") }})
                or (cues.looked_in = 'clause' and {{ text_contains('statements.clause_text', "cues.cue") }})
                or (cues.looked_in = 'sentence' and {{ text_contains('statements.sentence_text', "cues.cue") }})
                or (cues.looked_in = 'section' and {{ text_contains('statements.section_title', "cues.cue") }})
            )
    union all
    -- 1—11月, 6月: a part of the year named by its months
    select
        statement_id,
        'sub_year' as scope
    from statements
    where {{ regex_matches('clause_digits', "'(?:^|[^0-9])[0-9]{1,2}月'") }}
),

named_years as (
    -- 到2030年 in a plan sentence: the deadline
    select
        statement_id,
        'deadline' as year_role,
        cast({{ regex_matches_as_rows('sentence_digits', "'(?:到|至)((?:19|20)\\d{2})年'") }} as integer) as named_year
    from statements
    where statement_kind = 'plan'
    union all
    -- 比2020年: the base of a change
    select
        statement_id,
        'base' as year_role,
        cast({{ regex_matches_as_rows('base_cue', "'((?:19|20)\\d{2})'") }} as integer) as named_year
    from statements
    union all
    -- 2019年… in the clause, not as a base or a deadline (比 较 到 至 与 同), nor as the year of the
    -- starting level this statement carries (从2007年的1.4%提高到2012年的1.97%); without one, the
    -- statement is that starting level itself, of the year after 从 or 由
    select
        statement_id,
        'frame' as year_role,
        cast(
            {{ regex_matches_as_rows(
                'clause_digits',
                "case
                    when has_baseline then '(?:^|[^比较从由到至与同0-9])((?:19|20)\\d{2})年'
                    else '(?:^|[^比较到至与同0-9])((?:19|20)\\d{2})年'
                end"
            ) }} as integer
        ) as named_year
    from statements
),

year_scopes as (
    select
        named_years.statement_id,
        case
            when named_years.year_role = 'deadline' and named_years.named_year > statements.statement_year
                then 'multi_year'
            when named_years.year_role = 'base' and named_years.named_year < statements.statement_year - 1
                then 'multi_year'
            when named_years.year_role = 'frame' and named_years.named_year <> statements.statement_year
                then 'other_year'
        end as scope
    from named_years
    inner join statements on named_years.statement_id = statements.statement_id
),

statement_scopes as (
    -- one scope per statement, in the order of the indicator_scope code list: another region first,
    -- then a quoted target, several years, part of a year, another year
    select
        statement_id,
        {{ value_at_min(
            'scope',
            "case
                when scope = 'other_region' then 1
                when scope = 'restated_target' then 2
                when scope = 'multi_year' then 3
                when scope = 'sub_year' then 4
                else 5
            end"
        ) }} as indicator_scope
    from (
        select statement_id, scope from cue_scopes
        union all
        select statement_id, scope from year_scopes where scope is not null
    ) as scopes
    group by statement_id
)

select
    statements.statement_id,
    best_matches.indicator_code as matched_indicator_code,
    best_matches.alias as matched_alias,
    coalesce(statement_scopes.indicator_scope, 'year') as indicator_scope,
    case when statement_scopes.indicator_scope is null then best_matches.indicator_code end as indicator_code,
    statements.report_version
from statements
left join best_matches on statements.statement_id = best_matches.statement_id and best_matches.match_rank = 1
left join statement_scopes on statements.statement_id = statement_scopes.statement_id
