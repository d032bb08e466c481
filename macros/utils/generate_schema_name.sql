{#
    Use a folder's custom schema name as is (staging, intermediate, marts, reference, config)
    instead of prefixing it with the target schema, so BI tools read `marts.fct_...`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
