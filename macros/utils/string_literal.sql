{#
    `value` as an SQL string literal, quoted and escaped for the database. Standard SQL doubles a
    single quote and takes backslashes literally; Spark reads a backslash as an escape character
    (so 'a\b' would hold a backspace), hence escapes both.

    Arguments:
        value: any value; it is rendered as text (None renders as NULL, not as a string).
#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'opportunity_index')(value)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__string_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
