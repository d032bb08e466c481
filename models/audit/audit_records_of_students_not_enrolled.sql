-- One row per district file and student id whose records were loaded but describe nobody
-- enrolled on the snapshot date (an id missing from enrollments.csv, a student who left, a
-- typo, an enrollment quarantined): these records are valid but unused, and the district can see
-- which they are.
{%- set student_files = [
    'students', 'addresses', 'attendance', 'discipline_incidents',
    'course_marks', 'assessments', 'academic_outcomes'
] %}
with student_records as (
    -- noqa: disable=LT02
    {%- for file_name in student_files %}
    select
        '{{ file_name }}' as file_name,
        student_id,
        source_row
    from {{ source('sis', file_name) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    -- noqa: enable=LT02
),

quarantined_enrollments as (
    select distinct student_id
    from {{ source('quarantine', 'enrollments') }}
    where student_id is not null
),

enrollment_records as (
    select
        student_id,
        count(*) as enrollment_records
    from {{ source('sis', 'enrollments') }}
    group by student_id
)

select
    student_records.file_name,
    student_records.student_id,
    count(*) as records,
    min(student_records.source_row) as first_source_row,
    case
        when max(quarantined_enrollments.student_id) is not null then 'enrollment_quarantined'
        when max(enrollment_records.enrollment_records) is null then 'no_enrollment_record'
        else 'not_enrolled_on_snapshot_date'
    end as reason
from student_records
left join {{ ref('int_students_enrolled') }} as enrolled
    on student_records.student_id = enrolled.student_id
left join enrollment_records
    on student_records.student_id = enrollment_records.student_id
left join quarantined_enrollments
    on student_records.student_id = quarantined_enrollments.student_id
where enrolled.student_id is null
group by student_records.file_name, student_records.student_id
