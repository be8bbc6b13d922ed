-- Map the words recorded by the extractor to codes, using the curated reference seeds:
-- multiplier (万 → 1e4, none written → 1), unit (人次 → person_time), comparator (以上 → ge),
-- firmness (力争 → aspirational) and measure (提高到 → level, 下降 → change with direction -1); the
-- multiplier of a starting level (从X提高到Y) too.
-- A word the report does not have is null and matches no cue; the missing multiplier matches the
-- reference row that stands for it (its multiplier_text is null too).
with quantities as (
    select * from {{ ref('stg_quantities') }}
),

comparator_cues as (
    select * from {{ ref('stg_comparator_cues') }}
)

select
    quantities.quantity_id,
    multipliers.multiplier,
    coalesce(unit_spellings.unit_code, rate_units.unit_code) as unit_code,
    case
        when quantities.value_upper is not null then 'range'
        else coalesce(
            after_cue.comparator_code,
            before_cue.comparator_code,
            infix_cue.comparator_code,
            measure_cues.comparator_code,
            'eq'
        )
    end as comparator,
    coalesce(firmness_cues.firmness_code, 'plain') as firmness,
    coalesce(measure_cues.measure, 'level') as measure,
    measure_cues.direction as change_direction,
    baseline_multipliers.multiplier as baseline_multiplier
from quantities
left join {{ ref('stg_multipliers') }} as multipliers
    on quantities.multiplier_text is not distinct from multipliers.multiplier_text
left join {{ ref('stg_multipliers') }} as baseline_multipliers
    on
        quantities.baseline_value is not null
        and quantities.baseline_multiplier_text is not distinct from baseline_multipliers.multiplier_text
left join {{ ref('int_unit_spellings') }} as unit_spellings
    on quantities.unit_text = unit_spellings.spelling
left join {{ ref('int_rate_units') }} as rate_units
    on quantities.unit_text = rate_units.spelling
left join comparator_cues as before_cue
    on quantities.comparator_before = before_cue.cue and before_cue.cue_position = 'before'
left join comparator_cues as after_cue
    on quantities.comparator_after = after_cue.cue and after_cue.cue_position = 'after'
left join comparator_cues as infix_cue
    on quantities.approx_infix = infix_cue.cue and infix_cue.cue_position = 'infix'
left join {{ ref('stg_firmness_cues') }} as firmness_cues
    on quantities.firmness_cue = firmness_cues.cue
left join {{ ref('stg_measure_cues') }} as measure_cues
    on quantities.measure_cue = measure_cues.cue
