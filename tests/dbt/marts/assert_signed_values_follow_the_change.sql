-- A decrease keeps its sign (下降3% → -3); increases and levels keep the value as written.
select *
from {{ ref('fct_targets') }}
where value_signed <> case when change_direction = -1 then -value else value end
