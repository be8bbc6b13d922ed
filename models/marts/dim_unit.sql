-- Units of measure as staged; the contract fixes the published columns.
select * from {{ ref('stg_units') }}
