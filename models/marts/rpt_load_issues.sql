-- Inputs rejected by a --keep-going build, so a dashboard can show what is missing and why.
select * from {{ ref('stg_rejected_inputs') }}
