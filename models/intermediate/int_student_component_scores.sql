-- One row per enrolled student and component present: the component score (higher = more need),
-- observed from the student's data or, for neighborhood components of students without a usable
-- home tract, imputed (int_student_neighborhood_imputations); and the student's need rank on it.
with scores as (
    select
        student_id,
        component_name,
        indicators_used,
        raw_score,
        component_score,
        false as is_imputed,
        cast(null as {{ dbt.type_string() }}) as imputation_reason
    from {{ ref('int_student_component_observed_scores') }}
    union all
    select
        student_id,
        component_name,
        cast(null as integer) as indicators_used,
        cast(null as {{ double_precision() }}) as raw_score,
        component_score,
        true as is_imputed,
        imputation_reason
    from {{ ref('int_student_neighborhood_imputations') }}
)

select
    *,
    -- Share of students with this component whose need on it is at most this student's: in
    -- (0, 1], ties equal. It apportions the student's percentile among components.
    cume_dist() over (partition by component_name order by component_score) as component_need_rank
from scores
