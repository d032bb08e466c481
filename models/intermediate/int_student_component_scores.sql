-- One row per enrolled student and component present: the standardized component score
-- (higher = more need) and the student's need rank on that component among district students.
with scores as (
    select
        raw_scores.student_id,
        raw_scores.component_name,
        raw_scores.indicators_used,
        raw_scores.raw_score,
        {{ standardize('raw_scores.raw_score', 'stats.mean_raw_score', 'stats.stddev_raw_score') }}
            as component_score
    from {{ ref('int_student_component_raw_scores') }} as raw_scores
    inner join {{ ref('int_component_statistics') }} as stats
        on raw_scores.component_name = stats.component_name
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
