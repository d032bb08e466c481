{#
    The 8-byte floating-point type. dbt.type_float() is single precision on DuckDB ("float"),
    so the project names double precision explicitly; the spelling is standard SQL.
#}
{% macro double_precision() -%}
    {{ return(adapter.dispatch('double_precision', 'opportunity_index')()) }}
{%- endmacro %}

{% macro default__double_precision() -%}
    double precision
{%- endmacro %}

{% macro spark__double_precision() -%}
    double
{%- endmacro %}
