select
    student_id,
    school_year,
    test_grade,
    subject,
    cast(scaled_score as integer) as scaled_score,
    performance_level,
    performance_level = 'NM' as is_not_meeting_expectations
from {{ source('sis', 'assessments') }}
