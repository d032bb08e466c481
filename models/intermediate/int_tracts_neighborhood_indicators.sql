-- One row per Boston tract included in the neighborhood statistics, one column per neighborhood
-- indicator. Every column but the key is an indicator that seeds/config/component_definitions.csv
-- can use (names start with tract_). Excluded tracts (int_tract_exclusions) have no row.
select
    tracts.tract_geoid,
    tracts.median_household_income as tract_median_household_income,
    tracts.share_adults_without_high_school as tract_share_adults_without_high_school,
    tracts.share_adults_with_bachelors_or_more as tract_share_adults_with_bachelors_or_more,
    tracts.share_families_in_poverty as tract_share_families_in_poverty,
    tracts.share_foreign_born as tract_share_foreign_born,
    crime.crime_rate_per_1000 as tract_crime_rate_per_1000,
    disorder.private_neglect as tract_private_neglect,
    disorder.public_denigration as tract_public_denigration
from {{ ref('stg_census__tracts') }} as tracts
left join {{ ref('int_tract_crime_rates') }} as crime
    on tracts.tract_geoid = crime.tract_geoid
left join {{ ref('int_tract_disorder_measures') }} as disorder
    on tracts.tract_geoid = disorder.tract_geoid
left join {{ ref('int_tract_exclusions') }} as exclusions
    on tracts.tract_geoid = exclusions.tract_geoid
where exclusions.tract_geoid is null
