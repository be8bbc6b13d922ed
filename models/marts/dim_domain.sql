-- The domain taxonomy, including its fallback (unclassified) row, which the seed defines.
select * exclude (is_fallback) from {{ ref('stg_domains') }}
