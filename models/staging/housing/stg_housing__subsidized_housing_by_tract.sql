select
    owner_type,
    placement_status,
    nullif(cast(tract_geoid as {{ dbt.type_string() }}), '') as tract_geoid,
    cast(addresses as integer) as addresses,
    cast(developments as integer) as developments
from {{ ref('subsidized_housing_by_tract') }}
