{#
    Long form of a relation holding one column per component (var `components`): one row per row
    and component, with the key columns, `component_name` and the component's value.

    Arguments:
        relation: the wide relation (a ref).
        key_columns: list of columns to carry along.
        column_suffix: the component columns are `<component><column_suffix>`.
        value_name: name of the value column.
#}
{% macro unpivot_components(relation, key_columns, column_suffix, value_name) -%}
    {%- for component in var('components') %}
    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        '{{ component }}' as component_name,
        {{ component }}{{ column_suffix }} as {{ value_name }}
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
