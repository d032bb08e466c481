select
    incident_id,
    student_id,
    school_year,
    incident_date,
    action_code,
    action_code in ('ISS', 'OSS') as is_suspension,
    days_removed
from {{ source('sis', 'discipline_incidents') }}
