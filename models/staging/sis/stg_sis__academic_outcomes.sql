select
    student_id,
    school_year,
    outcome_score
from {{ source('sis', 'academic_outcomes') }}
