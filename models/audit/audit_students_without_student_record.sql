-- One row per student enrolled on the snapshot date who has no usable row in students.csv:
-- they are still scored (individual indicators unknown, their components reweighted), and the
-- district learns which records to fix.
with quarantined as (
    select
        student_id,
        min(source_row) as first_source_row,
        min(reason_codes) as reason_codes
    from {{ source('quarantine', 'students') }}
    group by student_id
)

select
    enrolled.student_id,
    enrolled.school_code,
    case
        when quarantined.student_id is not null then 'student_record_quarantined'
        else 'student_record_absent'
    end as reason,
    quarantined.first_source_row as quarantined_source_row,
    quarantined.reason_codes as quarantine_reason_codes
from {{ ref('int_students_enrolled') }} as enrolled
left join {{ ref('stg_sis__students') }} as students
    on enrolled.student_id = students.student_id
left join quarantined
    on enrolled.student_id = quarantined.student_id
where students.student_id is null
