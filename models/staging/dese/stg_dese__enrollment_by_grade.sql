select
    school_year,
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    cast(grade as {{ dbt.type_string() }}) as grade,
    cast(students as integer) as students
from {{ ref('dese_enrollment_by_grade') }}
