{#
    numerator / denominator rounded half-up to `digits` decimal places, computed exactly.

    A mean such as 0.565 is not representable in binary floating point (it is stored as
    0.56499999...), so round() on a double can round a school down across a funding threshold.
    Working on the integer numerator and denominator avoids that.

    Arguments:
        numerator: non-negative integer expression.
        denominator: positive integer expression.
        digits: decimal places (default 2).
    Returns: decimal(18, digits).
#}
{% macro round_ratio_half_up(numerator, denominator, digits=2) -%}
    {%- set scale = 10 ** digits -%}
    cast(
        cast(
            {{ integer_floor_divide(
                '2 * ' ~ scale ~ ' * cast(' ~ numerator ~ ' as bigint) + cast(' ~ denominator ~ ' as bigint)',
                '2 * cast(' ~ denominator ~ ' as bigint)'
            ) }} as decimal(18, 0)
        ) / {{ scale }} as decimal(18, {{ digits }})
    )
{%- endmacro %}
