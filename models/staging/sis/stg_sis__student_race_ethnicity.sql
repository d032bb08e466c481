-- Protected attribute, kept apart from every index input. Only marts downstream of the
-- composite may join it, for equity reporting.
select
    student_id,
    race_ethnicity
from {{ source('sis', 'students') }}
