-- Grade span and peer level of each school, from its real DESE enrollment by grade.
with enrollment as (
    select
        enrollment.school_code,
        enrollment.grade,
        enrollment.students,
        levels.grade_order,
        levels.school_level
    from {{ ref('stg_dese__enrollment_by_grade') }} as enrollment
    inner join {{ ref('grade_levels') }} as levels
        on enrollment.grade = levels.grade
    where enrollment.school_year = '{{ var("school_year") }}'
        and enrollment.students > 0
),

level_enrollment as (
    select
        school_code,
        school_level,
        sum(students) as students,
        min(grade_order) as first_grade_order
    from enrollment
    where school_level is not null
    group by school_code, school_level
),

-- The level holding most of a school's students is its peer level; ties go to the lower grades.
peer_levels as (
    select
        school_code,
        school_level as peer_level,
        row_number() over (
            partition by school_code order by students desc, first_grade_order asc
        ) as level_rank
    from level_enrollment
),

spans as (
    select
        school_code,
        sum(students) as dese_enrollment,
        {{ dbt.listagg(
            "case when school_level is not null then grade end", "','", "order by grade_order"
        ) }} as grades_offered,
        min(case when school_level is not null then grade_order end) as lowest_grade_order,
        max(case when school_level is not null then grade_order end) as highest_grade_order,
        max(case when school_level = 'elementary' then 1 else 0 end) as has_elementary,
        max(case when school_level = 'middle' then 1 else 0 end) as has_middle,
        max(case when school_level = 'high' then 1 else 0 end) as has_high
    from enrollment
    group by school_code
)

select
    spans.school_code,
    spans.dese_enrollment,
    spans.grades_offered,
    lowest.grade as lowest_grade,
    highest.grade as highest_grade,
    case
        when spans.has_elementary = 1 and spans.has_middle = 1 and spans.has_high = 1 then 'k_12'
        when spans.has_elementary = 1 and spans.has_middle = 1 then 'k_8'
        when spans.has_middle = 1 and spans.has_high = 1 then 'middle_high'
        when spans.has_elementary = 1 and spans.has_high = 0 then 'elementary'
        when spans.has_middle = 1 then 'middle'
        when spans.has_high = 1 and spans.has_elementary = 0 then 'high'
        else 'other'
    end as grade_span_category,
    peer_levels.peer_level
from spans
inner join peer_levels
    on spans.school_code = peer_levels.school_code and peer_levels.level_rank = 1
left join {{ ref('grade_levels') }} as lowest
    on spans.lowest_grade_order = lowest.grade_order
left join {{ ref('grade_levels') }} as highest
    on spans.highest_grade_order = highest.grade_order
