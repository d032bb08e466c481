with scores as (
    select
        tract_geoid,
        {{ pivot_components('component_score', suffix='_score') }}
    from {{ ref('int_tract_component_scores') }}
    group by tract_geoid
),

residents as (
    select
        homes.home_tract_geoid as tract_geoid,
        count(*) as enrolled_students
    from {{ ref('int_student_home_addresses') }} as homes
    where homes.home_tract_geoid is not null
    group by homes.home_tract_geoid
)

select
    tracts.tract_geoid,
    tracts.is_residential,
    tracts.acs_total_population,
    cast(coalesce(residents.enrolled_students, 0) as integer) as enrolled_students,
    scores.neighborhood_socioeconomic_score,
    scores.neighborhood_safety_disorder_score
from {{ ref('stg_census__tracts') }} as tracts
left join scores
    on tracts.tract_geoid = scores.tract_geoid
left join residents
    on tracts.tract_geoid = residents.tract_geoid
