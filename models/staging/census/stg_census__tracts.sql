select
    cast(tract_geoid as {{ dbt.type_string() }}) as tract_geoid,
    tract_name,
    planning_district,
    tract_type,
    cast(is_residential as boolean) as is_residential,
    cast(land_area_sq_m as bigint) as land_area_sq_m,
    cast(census_2010_population as integer) as census_2010_population,
    cast(acs_total_population as integer) as acs_total_population,
    cast(acs_share_under_18 as {{ double_precision() }}) as share_under_18,
    cast(acs_share_foreign_born as {{ double_precision() }}) as share_foreign_born,
    cast(acs_median_household_income as {{ double_precision() }}) as median_household_income,
    -- ACS publishes $250,000+ as 250001: keep the value, flag the censoring.
    coalesce(acs_median_household_income >= 250001, false) as is_median_income_top_coded,
    cast(acs_share_families_in_poverty as {{ double_precision() }}) as share_families_in_poverty,
    cast(acs_share_adults_less_than_high_school as {{ double_precision() }})
        as share_adults_without_high_school,
    cast(
        acs_share_adults_bachelors
        + acs_share_adults_masters
        + acs_share_adults_professional
        + acs_share_adults_doctorate
        as {{ double_precision() }}
    ) as share_adults_with_bachelors_or_more,
    cast(acs_median_year_moved_in as integer) as median_year_moved_in,
    cast(centroid_latitude as {{ double_precision() }}) as centroid_latitude,
    cast(centroid_longitude as {{ double_precision() }}) as centroid_longitude
from {{ ref('census_tracts_2010') }}
