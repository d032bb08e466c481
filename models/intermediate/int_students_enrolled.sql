-- The students enrolled on the snapshot date, one row each, with their school and level.
select
    spans.student_id,
    spans.school_code,
    spans.grade,
    levels.grade_order,
    -- Ungraded (SP) students take their school's peer level.
    coalesce(levels.school_level, schools.peer_level) as school_level,
    spans.entry_date,
    spans.spells_on_snapshot as enrollment_spells_on_snapshot
from {{ ref('int_enrollment_spells_on_snapshot') }} as spans
left join {{ ref('grade_levels') }} as levels
    on spans.grade = levels.grade
left join {{ ref('int_schools_grade_spans') }} as schools
    on spans.school_code = schools.school_code
where spans.spell_rank = 1
