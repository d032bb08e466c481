select
    student_id,
    school_year,
    school_code,
    cast(days_in_membership as integer) as days_in_membership,
    cast(days_present as integer) as days_present
from {{ source('sis', 'attendance') }}
