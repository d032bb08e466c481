{#
    Refresh the planner statistics of a table a model has just written (a post-hook).

    PostgreSQL plans a query on a new table without statistics until autovacuum gets to it, and
    then may pick nested loops that never finish on a district's worth of rows. Other engines
    gather what they need themselves: the hook renders to nothing there and dbt skips it.

    Arguments:
        relation: the model's relation (`this` in a hook).
#}
{% macro analyze_relation(relation) -%}
    {{ return(adapter.dispatch('analyze_relation', 'opportunity_index')(relation)) }}
{%- endmacro %}

{% macro default__analyze_relation(relation) -%}
{%- endmacro %}

{% macro postgres__analyze_relation(relation) -%}
    {%- if config.get('materialized') == 'table' -%}
        analyze {{ relation }}
    {%- endif -%}
{%- endmacro %}
