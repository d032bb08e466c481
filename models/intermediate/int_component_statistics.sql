-- One row per component: mean and standard deviation of the raw score over the enrolled students
-- who have the component, so that component scores are in district standard deviations.
with stats as (
    {{ exact_mean_and_stddev(ref('int_student_component_raw_scores'), 'component_name', 'raw_score') }}
)

select
    component_name,
    value_count as students_with_component,
    mean_value as mean_raw_score,
    stddev_value as stddev_raw_score
from stats
