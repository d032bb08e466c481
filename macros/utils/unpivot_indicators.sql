{#
    Long form (`<keys>`, indicator_name, indicator_value) of a wide relation holding one column per
    indicator. Every column not listed in `key_columns` is an indicator, so adding an indicator
    column to the wide model makes it available to seeds/config/component_definitions.csv.
    NULL values are left out: a missing indicator is absent, never zero.

    Arguments:
        relation: the wide relation (a ref).
        key_columns: list of column names that identify a row.
#}
{% macro unpivot_indicators(relation, key_columns) -%}
    {%- set columns = indicator_columns(relation, key_columns) -%}
    {%- if not columns %}
    select
        {%- for key in key_columns %} cast(null as {{ dbt.type_string() }}) as {{ key }},{% endfor %}
        cast(null as {{ dbt.type_string() }}) as indicator_name,
        cast(null as {{ double_precision() }}) as indicator_value
    where 1 = 0
    {%- endif %}
    {%- for indicator in columns %}
    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        '{{ indicator }}' as indicator_name,
        cast({{ indicator }} as {{ double_precision() }}) as indicator_value
    from {{ relation }}
    where {{ indicator }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
