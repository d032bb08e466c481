{#
    A one-column table of string literals, for use in a FROM clause:
    `(values ('a'), ('b')) as <alias>(<column_name>)`; values are escaped (string_literal).

    Arguments:
        values: list of strings.
        column_name: the column's name.
        alias: the table alias (default `literals`).
#}
{% macro literal_table(values, column_name, alias='literals') -%}
    (values {% for value in values %}({{ string_literal(value) }}){{ ', ' if not loop.last }}{% endfor %})
    as {{ alias }} ({{ column_name }})
{%- endmacro %}
