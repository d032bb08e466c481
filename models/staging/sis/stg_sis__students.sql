-- Race/ethnicity is deliberately not selected here: it lives in stg_sis__student_race_ethnicity,
-- which no model upstream of the index reads.
select
    trim(student_id) as student_id,
    cast(date_of_birth as date) as date_of_birth,
    upper(trim(gender)) as gender,
    {{ yes_no_flag('economically_disadvantaged') }} as is_economically_disadvantaged,
    {{ yes_no_flag('english_learner') }} as is_english_learner,
    {{ yes_no_flag('students_with_disabilities') }} as has_disability,
    nullif(upper(trim(country_of_birth)), '') as country_of_birth,
    cast(nullif(trim(us_school_entry_date), '') as date) as us_school_entry_date,
    cast(nullif(trim(district_entry_date), '') as date) as district_entry_date
from {{ source('sis', 'students') }}
