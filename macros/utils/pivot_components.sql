{#
    One column per component (var `components`) from a long relation with a `component_name`
    column: `<prefix><component><suffix>` = the value for that component.

    Arguments:
        value: the expression to place in each component's column.
        prefix, suffix: added around each component name to form the column name.
#}
{% macro pivot_components(value, prefix='', suffix='') -%}
    {%- for component in var('components') %}
    max(case when component_name = '{{ component }}' then {{ value }} end)
        as {{ prefix }}{{ component }}{{ suffix }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
