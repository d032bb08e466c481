{#
    Sum of `expression` that does not depend on row order.

    Floating-point sums change in the last bits with the order in which parallel threads combine
    partial sums, so the same input could give different marts. Summing fixed-point DECIMAL
    values is exact, hence order-independent: results are identical bit for bit on every run.

    Arguments:
        expression: a numeric SQL expression; it is rounded to `scale` decimal places.
        scale: decimal places kept (default 12; about 1e-12 relative to values near 1).
#}
{% macro exact_sum(expression, scale=12) -%}
    sum({{ fixed_point(expression, scale) }})
{%- endmacro %}
