{#
    A component's raw score: the mean of the standardized values of its indicators that the unit
    has. A component with none of its indicators is absent (no row), never zero.

    Arguments:
        indicator_scores: a relation from score_indicators().
        key_column: student_id or tract_geoid.
#}
{% macro component_raw_scores(indicator_scores, key_column) -%}
select
    {{ key_column }},
    component_name,
    count(*) as indicators_used,
    {{ exact_mean('standardized_value') }} as raw_score
from {{ indicator_scores }}
group by {{ key_column }}, component_name
{%- endmacro %}
