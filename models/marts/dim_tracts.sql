select
    tracts.tract_geoid,
    tracts.tract_name,
    tracts.planning_district,
    tracts.tract_type,
    tracts.is_residential,
    exclusions.tract_geoid is not null as is_excluded_from_statistics,
    exclusions.exclusion_reason,
    tracts.acs_total_population,
    tracts.census_2010_population,
    tracts.land_area_sq_m,
    tracts.centroid_latitude,
    tracts.centroid_longitude,
    tracts.median_household_income,
    tracts.median_household_income_censoring,
    tracts.share_adults_without_high_school,
    tracts.share_adults_with_bachelors_or_more,
    tracts.share_families_in_poverty,
    tracts.share_foreign_born,
    cast(crime.counted_offense_records as integer) as counted_offense_records,
    crime.crime_rate_per_1000,
    cast(coalesce(disorder.block_groups, 0) as integer) as disorder_block_groups,
    disorder.private_neglect,
    disorder.public_denigration,
    cast(coalesce(housing.public_housing_addresses, 0) as integer) as public_housing_addresses,
    cast(coalesce(housing.public_housing_developments, 0) as integer) as public_housing_developments
from {{ ref('stg_census__tracts') }} as tracts
left join {{ ref('int_tract_crime_rates') }} as crime
    on tracts.tract_geoid = crime.tract_geoid
left join {{ ref('int_tract_disorder_measures') }} as disorder
    on tracts.tract_geoid = disorder.tract_geoid
left join {{ ref('int_tract_public_housing') }} as housing
    on tracts.tract_geoid = housing.tract_geoid
left join {{ ref('int_tract_exclusions') }} as exclusions
    on tracts.tract_geoid = exclusions.tract_geoid
