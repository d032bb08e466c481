{#
    Integer division rounding toward minus infinity, for non-negative integers: exact, with no
    floating point in between. Used to round ratios half-up exactly.

    Arguments:
        numerator, denominator: integer expressions, numerator >= 0 and denominator > 0.
#}
{% macro integer_floor_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_floor_divide', 'opportunity_index')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_floor_divide(numerator, denominator) -%}
    div({{ numerator }}, {{ denominator }})
{%- endmacro %}

{% macro duckdb__integer_floor_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_floor_divide(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}
