-- One row per enrolled student and component present, with the weight of that component for the
-- student's level, renormalized over the components the student has (a student missing a whole
-- component is scored on the others, never zero-filled).
with weighted as (
    select
        scores.student_id,
        scores.component_name,
        scores.component_score,
        scores.component_need_rank,
        cast(weights.weight as {{ double_precision() }}) as level_weight
    from {{ ref('int_student_component_scores') }} as scores
    inner join {{ ref('int_students_enrolled') }} as enrolled
        on scores.student_id = enrolled.student_id
    inner join {{ ref('component_weights') }} as weights
        on enrolled.school_level = weights.school_level
            and scores.component_name = weights.component_name
),

weight_present as (
    select
        student_id,
        cast({{ exact_sum('level_weight') }} as {{ double_precision() }}) as weight_present
    from weighted
    group by student_id
)

select
    weighted.student_id,
    weighted.component_name,
    weighted.component_score,
    weighted.component_need_rank,
    weighted.level_weight,
    weight_present.weight_present,
    weighted.level_weight / nullif(weight_present.weight_present, 0) as applied_weight
from weighted
inner join weight_present
    on weighted.student_id = weight_present.student_id
