-- Every school with enrolled students appears in the school mart, with the same head count.
with enrolled as (
    select
        school_code,
        count(*) as students
    from {{ ref('int_students_enrolled') }}
    group by school_code
)

select
    coalesce(enrolled.school_code, schools.school_code) as school_code,
    enrolled.students as enrolled_students,
    schools.enrolled_students as school_mart_students
from enrolled
full outer join {{ ref('fct_school_opportunity') }} as schools
    on enrolled.school_code = schools.school_code
where enrolled.school_code is null
    or schools.school_code is null
    or enrolled.students <> schools.enrolled_students
