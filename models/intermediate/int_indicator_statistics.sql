-- One row per active indicator: its winsorizing bounds, mean and standard deviation over the
-- enrolled students who have a value, after orienting it so that higher means more need.
with oriented as (
    select
        values_.indicator_name,
        values_.indicator_value * definitions.need_sign as oriented_value
    from {{ ref('int_student_indicators_unpivoted') }} as values_
    inner join {{ ref('int_active_indicator_definitions') }} as definitions
        on values_.indicator_name = definitions.indicator_name
),

bounds as (
    select
        indicator_name,
        count(*) as students_with_value,
        {{ quantile_cont('oriented_value', var('winsorize_lower_quantile')) }} as lower_bound,
        {{ quantile_cont('oriented_value', var('winsorize_upper_quantile')) }} as upper_bound
    from oriented
    group by indicator_name
),

winsorized as (
    select
        oriented.indicator_name,
        least(greatest(oriented.oriented_value, bounds.lower_bound), bounds.upper_bound)
            as winsorized_value
    from oriented
    inner join bounds
        on oriented.indicator_name = bounds.indicator_name
),

stats as (
    {{ exact_mean_and_stddev('winsorized', 'indicator_name', 'winsorized_value') }}
)

select
    definitions.indicator_name,
    definitions.component_name,
    definitions.need_sign,
    bounds.students_with_value,
    bounds.lower_bound,
    bounds.upper_bound,
    stats.mean_value,
    stats.stddev_value
from {{ ref('int_active_indicator_definitions') }} as definitions
inner join bounds
    on definitions.indicator_name = bounds.indicator_name
inner join stats
    on definitions.indicator_name = stats.indicator_name
