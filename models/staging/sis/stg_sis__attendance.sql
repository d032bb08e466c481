select
    trim(student_id) as student_id,
    trim(school_year) as school_year,
    trim(school_code) as school_code,
    cast(days_in_membership as integer) as days_in_membership,
    cast(days_present as integer) as days_present
from {{ source('sis', 'attendance') }}
