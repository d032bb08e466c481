{#
    The database's spelling of a column type written in standard SQL. The project writes types
    once, in standard SQL (seed column_types, contract data_type: varchar, text, integer,
    double precision); Spark has no `text` or `double precision` and needs a length on
    `varchar`, so its seeds and contracts translate them here (macros/spark).

    Arguments:
        data_type: a type name, e.g. "text" or "double precision" (case and spaces ignored).
    Returns: the type name to use in SQL.
#}
{% macro sql_type(data_type) -%}
    {{ return(adapter.dispatch('sql_type', 'opportunity_index')(data_type)) }}
{%- endmacro %}

{% macro default__sql_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__sql_type(data_type) -%}
    {%- set spark_names = {
        'text': 'string',
        'varchar': 'string',
        'character varying': 'string',
        'double precision': 'double',
        'float8': 'double',
        'integer': 'int',
        'int4': 'int',
        'int8': 'bigint',
    } -%}
    {%- set key = data_type | trim | lower | replace('  ', ' ') -%}
    {{ return(spark_names.get(key, data_type)) }}
{%- endmacro %}
