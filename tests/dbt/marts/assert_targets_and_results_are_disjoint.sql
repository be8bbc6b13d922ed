-- A statement is a target (plan) or a result (review), never both.
select targets.target_id
from {{ ref('fct_targets') }} as targets
inner join {{ ref('fct_results') }} as results on targets.target_id = results.result_id
