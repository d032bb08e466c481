{#
    True when a numeric expression is neither NaN nor +/- infinity (NULL stays NULL).

    Arguments:
        column_name: a numeric expression.
#}
{% macro is_finite_value(column_name) -%}
    {{ return(adapter.dispatch('is_finite_value', 'opportunity_index')(column_name)) }}
{%- endmacro %}

{% macro default__is_finite_value(column_name) -%}
    (cast({{ column_name }} as double precision) not in (
        cast('NaN' as double precision),
        cast('Infinity' as double precision),
        cast('-Infinity' as double precision)
    ))
{%- endmacro %}

{% macro duckdb__is_finite_value(column_name) -%}
    isfinite(cast({{ column_name }} as double))
{%- endmacro %}

{% macro spark__is_finite_value(column_name) -%}
    (not isnan(cast({{ column_name }} as double)) and abs(cast({{ column_name }} as double)) <> cast('Infinity' as double))
{%- endmacro %}
