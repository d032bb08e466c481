select
    trim(student_id) as student_id,
    trim(school_year) as school_year,
    cast(outcome_score as {{ double_precision() }}) as outcome_score
from {{ source('sis', 'academic_outcomes') }}
