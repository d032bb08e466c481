select
    trim(student_id) as student_id,
    trim(school_year) as school_year,
    trim(test_grade) as test_grade,
    upper(trim(subject)) as subject,
    cast(nullif(trim(scaled_score), '') as integer) as scaled_score,
    upper(trim(performance_level)) as performance_level,
    upper(trim(performance_level)) = 'NM' as is_not_meeting_expectations
from {{ source('sis', 'assessments') }}
