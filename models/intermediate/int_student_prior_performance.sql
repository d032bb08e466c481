-- Each enrolled student's prior-year record: attendance, suspensions, course failures and the
-- most recent state-test results. NULL means no record, which is not the same as zero.
with attendance as (
    select
        student_id,
        sum(days_in_membership) as days_in_membership,
        sum(days_present) as days_present
    from {{ ref('stg_sis__attendance') }}
    where school_year = '{{ var("prior_school_year") }}'
    group by student_id
),

suspensions as (
    select
        student_id,
        sum(case when is_suspension then 1 else 0 end) as suspensions
    from {{ ref('stg_sis__discipline_incidents') }}
    where school_year = '{{ var("prior_school_year") }}'
    group by student_id
),

course_failures as (
    select
        student_id,
        max(case when course_subject = 'ELA' then case when is_failing_mark then 1 else 0 end end)
            as ela_course_failed,
        max(case when course_subject = 'MATH' then case when is_failing_mark then 1 else 0 end end)
            as math_course_failed
    from {{ ref('stg_sis__course_marks') }}
    where school_year = '{{ var("prior_school_year") }}'
    group by student_id
),

latest_tests as (
    select
        student_id,
        subject,
        is_not_meeting_expectations,
        row_number() over (
            partition by student_id, subject order by school_year desc, test_grade desc
        ) as recency_rank
    from {{ ref('stg_sis__assessments') }}
    where school_year < '{{ var("school_year") }}'
),

test_failures as (
    select
        student_id,
        max(case when subject = 'ELA' then case when is_not_meeting_expectations then 1 else 0 end end)
            as ela_test_not_meeting,
        max(case when subject = 'MATH' then case when is_not_meeting_expectations then 1 else 0 end end)
            as math_test_not_meeting
    from latest_tests
    where recency_rank = 1
    group by student_id
)

select
    enrolled.student_id,
    attendance.student_id is not null as has_prior_year_attendance,
    cast(attendance.days_present as {{ double_precision() }})
    / nullif(attendance.days_in_membership, 0) as prior_year_attendance_rate,
    -- Suspensions are only known for students who were enrolled last year.
    case
        when attendance.student_id is not null then coalesce(suspensions.suspensions, 0)
    end as prior_year_suspensions,
    course_failures.ela_course_failed as prior_year_ela_course_failed,
    course_failures.math_course_failed as prior_year_math_course_failed,
    test_failures.ela_test_not_meeting as recent_ela_test_not_meeting,
    test_failures.math_test_not_meeting as recent_math_test_not_meeting
from {{ ref('int_students_enrolled') }} as enrolled
left join attendance
    on enrolled.student_id = attendance.student_id
left join suspensions
    on enrolled.student_id = suspensions.student_id
left join course_failures
    on enrolled.student_id = course_failures.student_id
left join test_failures
    on enrolled.student_id = test_failures.student_id
