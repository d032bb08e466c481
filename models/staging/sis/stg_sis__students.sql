-- Race/ethnicity is deliberately not selected here: it lives in stg_sis__student_race_ethnicity,
-- which no model upstream of the index reads.
select
    student_id,
    date_of_birth,
    gender,
    economically_disadvantaged as is_economically_disadvantaged,
    english_learner as is_english_learner,
    students_with_disabilities as has_disability,
    country_of_birth,
    us_school_entry_date,
    district_entry_date
from {{ source('sis', 'students') }}
