select
    owner_type,
    placement_status,
    tract_geoid,
    cast(addresses as integer) as addresses,
    cast(developments as integer) as developments
from {{ source('housing', 'subsidized_housing_by_tract') }}
