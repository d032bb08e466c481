select
    school_year,
    school_code,
    grade,
    cast(students as integer) as students
from {{ source('dese', 'dese_enrollment_by_grade') }}
