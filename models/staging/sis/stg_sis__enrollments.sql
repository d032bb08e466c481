select
    student_id,
    school_year,
    school_code,
    grade,
    entry_date,
    exit_date
from {{ source('sis', 'enrollments') }}
