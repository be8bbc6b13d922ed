select
    keyword,
    domain_code,
    weight
from {{ ref('domain_keywords') }}
