select
    keyword,
    domain_code,
    cast(weight as integer) as weight
from {{ ref('domain_keywords') }}
