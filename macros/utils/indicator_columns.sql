{#
    The indicator columns of a wide indicator relation: every column not in `key_columns`,
    lowercased, in the relation's order. Empty while dbt parses (nothing is built yet).

    Arguments:
        relation: the wide relation (a ref).
        key_columns: list of column names that identify a row.
#}
{% macro indicator_columns(relation, key_columns) -%}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if column.name | lower not in key_columns -%}
                {%- do columns.append(column.name | lower) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}
