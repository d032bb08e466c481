{#
    Component scores in district standard deviations: each raw score standardized with the
    enrolled students' component statistics (int_component_statistics). Students and tracts use
    the same statistics, so a tract's score is the score its residents receive.

    Arguments:
        raw_scores: a relation from component_raw_scores().
        key_column: student_id or tract_geoid.
#}
{% macro standardized_component_scores(raw_scores, key_column) -%}
select
    raw_scores.{{ key_column }},
    raw_scores.component_name,
    raw_scores.indicators_used,
    raw_scores.raw_score,
    {{ standardize('raw_scores.raw_score', 'stats.mean_raw_score', 'stats.stddev_raw_score') }}
        as component_score
from {{ raw_scores }} as raw_scores
inner join {{ ref('int_component_statistics') }} as stats
    on raw_scores.component_name = stats.component_name
{%- endmacro %}
