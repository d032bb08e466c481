{#
    z-score of `value` given a mean and a standard deviation. A constant indicator (standard
    deviation 0 or NULL) standardizes to 0 rather than to infinity or NULL.

    Arguments:
        value, mean, stddev: numeric expressions.
#}
{% macro standardize(value, mean, stddev) -%}
    case
        when {{ value }} is null then null
        when coalesce({{ stddev }}, 0) > 0 then ({{ value }} - {{ mean }}) / {{ stddev }}
        else 0
    end
{%- endmacro %}
