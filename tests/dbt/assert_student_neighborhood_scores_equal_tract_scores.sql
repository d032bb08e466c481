-- A student's neighborhood component equals the score of the tract the student lives in, for
-- components built only from tract indicators (students and tracts are scored by the same SQL).
with tract_only_components as (
    select definitions.component_name
    from {{ ref('int_active_indicator_definitions') }} as definitions
    group by definitions.component_name
    having min(case when definitions.indicator_name like 'tract\_%' escape '\' then 1 else 0 end) = 1
)

select
    students.student_id,
    students.component_name,
    students.component_score as student_score,
    tracts.component_score as tract_score
from {{ ref('int_student_component_scores') }} as students
inner join tract_only_components
    on students.component_name = tract_only_components.component_name
inner join {{ ref('int_student_home_addresses') }} as homes
    on students.student_id = homes.student_id
left join {{ ref('int_tract_component_scores') }} as tracts
    on homes.home_tract_geoid = tracts.tract_geoid
        and students.component_name = tracts.component_name
where tracts.component_score is null
    or abs(students.component_score - tracts.component_score) > 0.000000001
