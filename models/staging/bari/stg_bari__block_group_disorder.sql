select
    cast(block_group_geoid as {{ dbt.type_string() }}) as block_group_geoid,
    -- A block group GEOID is its tract's GEOID plus one digit.
    substring(cast(block_group_geoid as {{ dbt.type_string() }}), 1, 11) as tract_geoid,
    cast(private_neglect as {{ double_precision() }}) as private_neglect,
    cast(public_denigration as {{ double_precision() }}) as public_denigration
from {{ ref('bari_block_group_disorder') }}
