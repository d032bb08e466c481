{#
    Inserts a seed's rows on Spark as literals. dbt-spark 1.11 pastes each value between quotes
    with no escaping (a description with an apostrophe breaks the statement, a backslash is read
    as an escape) and sends an empty value as the text 'None'; here every value is a properly
    escaped literal (string_literal), an empty one is NULL, and each is cast to the column's type
    (column_types in Spark's spelling, see sql_type).

    Arguments (from dbt's seed materialization):
        model: the seed node.
        agate_table: the seed file as read by dbt.
    Returns: the first batch's statement (dbt shows it as the seed's compiled SQL).
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(opportunity_index.sql_type(column_override.get(col_name, inferred_type))) -%}
    {%- endfor -%}

    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                (
                {%- for type in types -%}
                    cast({{ opportunity_index.string_literal(row[loop.index0]) }} as {{ type }})
                    {{- ', ' if not loop.last -}}
                {%- endfor -%}
                ){{ ',' if not loop.last }}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}

    {{ return(statements[0] if statements else '') }}
{% endmacro %}
