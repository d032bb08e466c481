select
    block_group_geoid,
    -- A block group GEOID is its tract's GEOID plus one digit.
    substring(block_group_geoid, 1, 11) as tract_geoid,
    private_neglect,
    public_denigration
from {{ source('bari', 'bari_block_group_disorder') }}
