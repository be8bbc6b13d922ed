-- The domain taxonomy, including its fallback (unclassified) row, which the seed defines.
select * from {{ ref('stg_domains') }}
