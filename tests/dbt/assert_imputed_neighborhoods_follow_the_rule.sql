-- Every student without an observed home tract has every neighborhood component imputed, with a
-- reason, and equal to the mean of the observed students of the same school (or 0 when the school
-- has none).
with observed as (
    select
        enrolled.school_code,
        scores.component_name,
        avg(scores.component_score) as school_mean
    from {{ ref('int_student_component_scores') }} as scores
    inner join {{ ref('int_neighborhood_components') }} as neighborhood
        on scores.component_name = neighborhood.component_name
    inner join {{ ref('int_students_enrolled') }} as enrolled
        on scores.student_id = enrolled.student_id
    where not scores.is_imputed
    group by enrolled.school_code, scores.component_name
),

expected as (
    select
        enrolled.student_id,
        enrolled.school_code,
        neighborhood.component_name,
        homes.neighborhood_status
    from {{ ref('int_students_enrolled') }} as enrolled
    cross join {{ ref('int_neighborhood_components') }} as neighborhood
    inner join {{ ref('int_student_home_addresses') }} as homes
        on enrolled.student_id = homes.student_id
    where homes.neighborhood_status <> 'observed'
)

select
    expected.student_id,
    expected.component_name,
    expected.neighborhood_status,
    scores.is_imputed,
    scores.imputation_reason,
    scores.component_score,
    observed.school_mean
from expected
left join {{ ref('int_student_component_scores') }} as scores
    on expected.student_id = scores.student_id
        and expected.component_name = scores.component_name
left join observed
    on expected.school_code = observed.school_code
        and expected.component_name = observed.component_name
where scores.student_id is null
    or not scores.is_imputed
    or scores.imputation_reason <> expected.neighborhood_status
    or abs(scores.component_score - coalesce(observed.school_mean, 0)) > 0.000000001
