-- Map the words recorded by the extractor to codes, using the curated reference seeds:
-- multiplier (万 → 1e4), unit (人次 → person_time), comparator (以上 → ge), firmness (力争 →
-- aspirational) and measure (提高到 → level, 下降 → change with direction -1).
with quantities as (
    select * from {{ ref('stg_quantities') }}
),

multipliers as (
    select * from {{ ref('stg_multipliers') }}
),

unit_spellings as (
    select * from {{ ref('int_unit_spellings') }}
),

comparator_cues as (
    select * from {{ ref('stg_comparator_cues') }}
),

firmness_cues as (
    select * from {{ ref('stg_firmness_cues') }}
),

measure_cues as (
    select * from {{ ref('stg_measure_cues') }}
)

select
    quantities.quantity_id,
    quantities.report_id,
    quantities.sentence_id,
    quantities.item_no,
    quantities.clause_start,
    quantities.clause_end,
    quantities.clause_text,
    quantities.number_text,
    quantities.value,
    quantities.value_upper,
    multipliers.multiplier,
    unit_spellings.unit_code,
    quantities.unit_text as unit_as_written,
    case
        when quantities.value_upper is not null then 'range'
        else coalesce(
            after_cue.comparator_code,
            before_cue.comparator_code,
            infix_cue.comparator_code,
            'eq'
        )
    end as comparator,
    coalesce(firmness_cues.firmness_code, 'plain') as firmness,
    coalesce(measure_cues.measure, 'level') as measure,
    measure_cues.direction as change_direction,
    nullif(quantities.base_cue, '') as base_reference,
    nullif(quantities.distribution, '') as distribution,
    quantities.indicator
from quantities
left join multipliers
    on quantities.multiplier_text = multipliers.multiplier_text
left join unit_spellings
    on quantities.unit_text = unit_spellings.spelling
left join comparator_cues as before_cue
    on quantities.comparator_before = before_cue.cue and before_cue.cue_position = 'before'
left join comparator_cues as after_cue
    on quantities.comparator_after = after_cue.cue and after_cue.cue_position = 'after'
left join comparator_cues as infix_cue
    on quantities.approx_infix = infix_cue.cue and infix_cue.cue_position = 'infix'
left join firmness_cues
    on quantities.firmness_cue = firmness_cues.cue
left join measure_cues
    on quantities.measure_cue = measure_cues.cue
