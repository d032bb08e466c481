-- One row per enrolled student, one column per indicator (raw values, NULL when unknown).
-- Every column but student_id is an indicator that component_definitions can use; flags are
-- 1/0 so that every indicator is numeric.
{%- set snapshot = "cast('" ~ var("snapshot_date") ~ "' as date)" %}
with students as (
    select
        enrolled.student_id,
        details.is_economically_disadvantaged,
        details.country_of_birth,
        details.us_school_entry_date
    from {{ ref('int_students_enrolled') }} as enrolled
    left join {{ ref('stg_sis__students') }} as details
        on enrolled.student_id = details.student_id
)

select
    students.student_id,
    {%- for column in indicator_columns(ref('int_tracts_neighborhood_indicators'), ['tract_geoid']) %}
    tracts.{{ column }},
    {%- endfor %}
    case
        when students.is_economically_disadvantaged then 1
        when not students.is_economically_disadvantaged then 0
    end as economically_disadvantaged,
    case
        when homes.is_public_housing then 1
        when not homes.is_public_housing then 0
    end as lives_in_public_housing,
    homes.residential_moves_past_year,
    case
        when students.country_of_birth = 'USA' then 0
        when students.country_of_birth is not null then 1
    end as foreign_born,
    case
        when students.country_of_birth = 'USA' then 0
        when students.country_of_birth is null or students.us_school_entry_date is null then null
        when students.us_school_entry_date > {{ dbt.dateadd(
            'year', -var('recent_immigrant_window_years'), snapshot
        ) }} then 1
        else 0
    end as recent_immigrant,
    performance.prior_year_attendance_rate,
    performance.prior_year_suspensions,
    performance.prior_year_ela_course_failed,
    performance.prior_year_math_course_failed,
    performance.recent_ela_test_not_meeting,
    performance.recent_math_test_not_meeting
from students
left join {{ ref('int_student_home_addresses') }} as homes
    on students.student_id = homes.student_id
left join {{ ref('int_tracts_neighborhood_indicators') }} as tracts
    on homes.home_tract_geoid = tracts.tract_geoid
left join {{ ref('int_student_prior_performance') }} as performance
    on students.student_id = performance.student_id
