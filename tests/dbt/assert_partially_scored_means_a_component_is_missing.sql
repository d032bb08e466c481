-- A student is partially scored exactly when the student lacks a component that exists in the
-- district (some student has it), and then the missing ones are listed.
with components_in_district as (
    select count(*) as components
    from {{ ref('int_component_statistics') }}
)

select
    students.student_id,
    students.components_present,
    components_in_district.components,
    students.is_partially_scored,
    students.missing_components
from {{ ref('fct_student_opportunity') }} as students
cross join components_in_district
where students.is_partially_scored <> (students.components_present < components_in_district.components)
    or students.is_partially_scored <> (students.missing_components is not null)
