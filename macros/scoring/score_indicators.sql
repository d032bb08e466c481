{#
    Oriented (higher = more need), winsorized and standardized indicator values, using the
    district statistics of int_indicator_statistics. Students and tracts are scored by the same
    SQL so that a tract's neighborhood scores equal those of the students who live there.

    Arguments:
        indicator_values: a long relation (key_column, indicator_name, indicator_value).
        key_column: the column identifying the scored unit (student_id or tract_geoid).
    Returns one row per key and active indicator with a value.
#}
{% macro score_indicators(indicator_values, key_column) -%}
with oriented as (
    select
        values_.{{ key_column }},
        values_.indicator_name,
        stats.component_name,
        values_.indicator_value,
        values_.indicator_value * stats.need_sign as oriented_value,
        stats.lower_bound,
        stats.upper_bound,
        stats.mean_value,
        stats.stddev_value
    from {{ indicator_values }} as values_
    inner join {{ ref('int_indicator_statistics') }} as stats
        on values_.indicator_name = stats.indicator_name
),

winsorized as (
    select
        *,
        least(greatest(oriented_value, lower_bound), upper_bound) as winsorized_value
    from oriented
)

select
    {{ key_column }},
    indicator_name,
    component_name,
    indicator_value,
    oriented_value,
    winsorized_value,
    {{ standardize('winsorized_value', 'mean_value', 'stddev_value') }} as standardized_value
from winsorized
{%- endmacro %}
