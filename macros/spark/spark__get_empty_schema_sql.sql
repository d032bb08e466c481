{#
    The query that gives an enforced contract's declared column types on Spark. The contracts
    (models/marts) declare types in standard SQL (text, integer, double precision), which Spark
    spells differently (see sql_type); dbt's default casts NULL to each declared type as written.

    Arguments (from dbt's contract check):
        columns: the model's columns as declared in its properties file, by name.
#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name] -%}
        {%- set entry = {'name': column['name'], 'quote': column.get('quote')} -%}
        {%- if column['data_type'] is defined and column['data_type'] is not none -%}
            {%- do entry.update({'data_type': opportunity_index.sql_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: entry}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{% endmacro %}
