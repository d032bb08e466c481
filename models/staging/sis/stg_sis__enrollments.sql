select
    trim(student_id) as student_id,
    trim(school_year) as school_year,
    trim(school_code) as school_code,
    upper(trim(grade)) as grade,
    cast(entry_date as date) as entry_date,
    cast(nullif(trim(exit_date), '') as date) as exit_date
from {{ source('sis', 'enrollments') }}
