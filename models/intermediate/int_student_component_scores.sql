-- One row per enrolled student and component present: the standardized component score
-- (higher = more need) and the student's need rank on that component among district students.
with scores as (
    {{ standardized_component_scores(ref('int_student_component_raw_scores'), 'student_id') }}
)

select
    student_id,
    component_name,
    indicators_used,
    raw_score,
    component_score,
    -- Share of students with this component whose need on it is at most this student's: in
    -- (0, 1], ties equal. It apportions the student's percentile among components.
    cume_dist() over (partition by component_name order by component_score) as component_need_rank
from scores
