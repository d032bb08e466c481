-- A student's observed neighborhood component equals the score of the tract the student lives in
-- (students and tracts are scored by the same SQL); imputed scores are checked elsewhere.
select
    students.student_id,
    students.component_name,
    students.component_score as student_score,
    tracts.component_score as tract_score
from {{ ref('int_student_component_scores') }} as students
inner join {{ ref('int_neighborhood_components') }} as neighborhood
    on students.component_name = neighborhood.component_name
inner join {{ ref('int_student_home_addresses') }} as homes
    on students.student_id = homes.student_id
left join {{ ref('int_tract_component_scores') }} as tracts
    on homes.home_tract_geoid = tracts.tract_geoid
        and students.component_name = tracts.component_name
where not students.is_imputed
    and (
        tracts.component_score is null
        or abs(students.component_score - tracts.component_score) > 0.000000001
    )
