{#
    `expression` as an exact fixed-point decimal(38, scale). Sums of fixed-point values do not
    depend on row order (see exact_sum); values compared with such sums must be rounded the same way.

    Arguments:
        expression: a numeric SQL expression.
        scale: decimal places kept (default 12).
#}
{% macro fixed_point(expression, scale=12) -%}
    cast({{ expression }} as decimal(38, {{ scale }}))
{%- endmacro %}
