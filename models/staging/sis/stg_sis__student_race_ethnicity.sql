-- Protected attribute, kept apart from every index input. Only marts downstream of the
-- composite may join it, for equity reporting.
select
    trim(student_id) as student_id,
    nullif(trim(race_ethnicity), '') as race_ethnicity
from {{ source('sis', 'students') }}
