select
    tract_geoid,
    tract_name,
    planning_district,
    tract_type,
    is_residential,
    cast(land_area_sq_m as bigint) as land_area_sq_m,
    cast(census_2010_population as integer) as census_2010_population,
    cast(acs_total_population as integer) as acs_total_population,
    acs_share_under_18 as share_under_18,
    acs_share_foreign_born as share_foreign_born,
    acs_median_household_income as median_household_income,
    -- A censored median ($250,000+, or "2,500-") keeps its value and carries the flag.
    acs_median_household_income_censoring as median_household_income_censoring,
    acs_share_families_in_poverty as share_families_in_poverty,
    acs_share_adults_less_than_high_school as share_adults_without_high_school,
    acs_share_adults_bachelors
    + acs_share_adults_masters
    + acs_share_adults_professional
    + acs_share_adults_doctorate as share_adults_with_bachelors_or_more,
    cast(acs_median_year_moved_in as integer) as median_year_moved_in,
    centroid_latitude,
    centroid_longitude
from {{ source('census', 'census_tracts_2010') }}
