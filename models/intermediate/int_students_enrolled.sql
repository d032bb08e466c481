-- The students enrolled on the snapshot date, one row each, with their school and level.
with spans_on_snapshot as (
    select
        student_id,
        school_code,
        grade,
        entry_date,
        count(*) over (partition by student_id) as enrollment_spells_on_snapshot,
        -- A student in two schools on the snapshot date is counted at the latest entry.
        row_number() over (
            partition by student_id order by entry_date desc, school_code asc
        ) as spell_rank
    from {{ ref('stg_sis__enrollments') }}
    where school_year = '{{ var("school_year") }}'
        and entry_date <= cast('{{ var("snapshot_date") }}' as date)
        and (exit_date is null or exit_date > cast('{{ var("snapshot_date") }}' as date))
)

select
    spans.student_id,
    spans.school_code,
    spans.grade,
    levels.grade_order,
    -- Ungraded (SP) students take their school's peer level.
    coalesce(levels.school_level, schools.peer_level) as school_level,
    spans.entry_date,
    spans.enrollment_spells_on_snapshot
from spans_on_snapshot as spans
left join {{ ref('grade_levels') }} as levels
    on spans.grade = levels.grade
left join {{ ref('int_schools_grade_spans') }} as schools
    on spans.school_code = schools.school_code
where spans.spell_rank = 1
