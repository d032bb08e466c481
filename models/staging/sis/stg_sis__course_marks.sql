select
    student_id,
    school_year,
    course_subject,
    course_code,
    final_mark,
    final_mark = 'F' as is_failing_mark
from {{ source('sis', 'course_marks') }}
