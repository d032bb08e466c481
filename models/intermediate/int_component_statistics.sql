-- One row per component: mean and standard deviation of the raw score over the enrolled students
-- who have the component, so that component scores are in district standard deviations.
with means as (
    select
        component_name,
        count(*) as students_with_component,
        {{ exact_mean('raw_score') }} as mean_raw_score
    from {{ ref('int_student_component_raw_scores') }}
    group by component_name
),

deviations as (
    select
        scores.component_name,
        scores.raw_score - means.mean_raw_score as deviation
    from {{ ref('int_student_component_raw_scores') }} as scores
    inner join means
        on scores.component_name = means.component_name
),

variances as (
    select
        component_name,
        {{ exact_sum('deviation * deviation') }} as sum_squared_deviations
    from deviations
    group by component_name
)

select
    means.component_name,
    means.students_with_component,
    means.mean_raw_score,
    sqrt(
        cast(variances.sum_squared_deviations as {{ double_precision() }})
        / nullif(means.students_with_component - 1, 0)
    ) as stddev_raw_score
from means
inner join variances
    on means.component_name = variances.component_name
