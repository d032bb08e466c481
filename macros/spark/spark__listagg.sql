{#
    dbt's listagg on Spark, honouring the order: dbt-spark 1.11 ignores order_by_clause (with a
    warning), so lists such as a school's grades would come out in whatever order Spark collects
    them. Values are collected with their sort key, sorted, then joined; NULL values are left out
    and a group without values gives NULL, as string_agg does.

    Arguments (as dbt.listagg):
        measure: the expression to aggregate.
        delimiter_text: the separator, as an SQL string literal (e.g. "', '").
        order_by_clause: none, or "order by <expression> [asc|desc]" (one expression).
        limit_num: keep at most this many values (optional).
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause=none, limit_num=none) -%}
    {%- if order_by_clause -%}
        {%- set match = modules.re.fullmatch(
            '\\s*order\\s+by\\s+(.+?)(\\s+(asc|desc))?\\s*', order_by_clause, modules.re.IGNORECASE
        ) -%}
        {%- if not match or ',' in match.group(1) -%}
            {{ exceptions.raise_compiler_error(
                "spark__listagg: order_by_clause must be 'order by <expression> [asc|desc]', got "
                ~ order_by_clause
            ) }}
        {%- endif -%}
        {%- set sorted -%}
            array_sort(collect_list(struct({{ match.group(1) }} as sort_key, {{ measure }} as sort_value)))
        {%- endset -%}
        {%- if (match.group(3) or '') | lower == 'desc' -%}
            {%- set sorted = 'reverse(' ~ sorted ~ ')' -%}
        {%- endif -%}
        {%- set collected = 'transform(' ~ sorted ~ ', entry -> entry.sort_value)' -%}
    {%- else -%}
        {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected = 'slice(filter(' ~ collected ~ ', value -> value is not null), 1, ' ~ limit_num ~ ')' -%}
    {%- endif -%}
    case when count({{ measure }}) > 0 then array_join({{ collected }}, {{ delimiter_text }}) end
{%- endmacro %}
