-- Boston Housing Authority (public housing) addresses and developments per tract.
select
    tract_geoid,
    sum(addresses) as public_housing_addresses,
    sum(developments) as public_housing_developments
from {{ ref('stg_housing__subsidized_housing_by_tract') }}
where owner_type = 'public_housing_authority'
    and placement_status = 'placed_in_tract'
group by tract_geoid
