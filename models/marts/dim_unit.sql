-- Every unit a statement may be in: the curated units, and the rate units the reports use with their
-- base units (int_units); the contract fixes the published columns.
select * from {{ ref('int_units') }}
