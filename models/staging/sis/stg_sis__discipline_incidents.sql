select
    trim(incident_id) as incident_id,
    trim(student_id) as student_id,
    trim(school_year) as school_year,
    cast(incident_date as date) as incident_date,
    upper(trim(action_code)) as action_code,
    upper(trim(action_code)) in ('ISS', 'OSS') as is_suspension,
    cast(nullif(trim(days_removed), '') as {{ double_precision() }}) as days_removed
from {{ source('sis', 'discipline_incidents') }}
