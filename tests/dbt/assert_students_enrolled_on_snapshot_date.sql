-- The district files must enroll someone on the snapshot date of the current school year; with
-- nobody enrolled the index would be empty. Usually the vars school_year / snapshot_date do not
-- match the files (see docs/district_files.md).
select
    '{{ var("school_year") }}' as school_year,
    '{{ var("snapshot_date") }}' as snapshot_date,
    'no student is enrolled on the snapshot date: check the vars school_year and snapshot_date '
    || 'against enrollments.csv' as reason
from {{ ref('int_students_enrolled') }}
having count(*) = 0
