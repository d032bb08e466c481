{#
    Mean of the non-null values of `expression`, independent of row order (see exact_sum).

    Arguments:
        expression: a numeric SQL expression.
    Returns: double precision; NULL when there are no non-null values.
#}
{% macro exact_mean(expression) -%}
    cast({{ exact_sum(expression) }} as {{ double_precision() }}) / nullif(count({{ expression }}), 0)
{%- endmacro %}
