-- 311 physical-disorder ecometrics per tract: the simple mean of its block groups (BARI gives no
-- block-group populations to weight by).
select
    tract_geoid,
    count(*) as block_groups,
    {{ exact_mean('private_neglect') }} as private_neglect,
    {{ exact_mean('public_denigration') }} as public_denigration
from {{ ref('stg_bari__block_group_disorder') }}
group by tract_geoid
