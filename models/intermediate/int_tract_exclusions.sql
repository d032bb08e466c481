-- One row per Boston tract excluded from the neighborhood statistics, with the reason: no or
-- too few residents (parks, the airport, water, institutions) give unstable or undefined rates.
select
    tract_geoid,
    acs_total_population,
    case
        when acs_total_population is null then 'population_unknown'
        when acs_total_population = 0 then 'no_population'
        else 'population_below_minimum'
    end as exclusion_reason
from {{ ref('stg_census__tracts') }}
where acs_total_population is null
    or acs_total_population < {{ var('min_tract_population') }}
