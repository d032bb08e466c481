select
    trim(student_id) as student_id,
    trim(school_year) as school_year,
    upper(trim(course_subject)) as course_subject,
    trim(course_code) as course_code,
    upper(trim(final_mark)) as final_mark,
    upper(trim(final_mark)) = 'F' as is_failing_mark
from {{ source('sis', 'course_marks') }}
