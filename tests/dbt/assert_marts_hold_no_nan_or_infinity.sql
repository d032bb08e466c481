-- No NaN or infinite value may reach any mart: every floating-point and decimal column of every
-- mart is checked (columns are read from the built tables, so new columns are covered too).
-- noqa: disable=LT02
-- (sqlfluff cannot follow the indentation of the Jinja-generated union)
{%- set marts = [
    ref('fct_student_opportunity'),
    ref('fct_school_opportunity'),
    ref('fct_tract_neighborhood_components'),
    ref('dim_schools'),
    ref('dim_tracts'),
    ref('dim_component_weights'),
] %}
{%- set checks = [] %}
{%- if execute %}
    {%- for mart in marts %}
        {%- for column in adapter.get_columns_in_relation(mart) %}
            {%- if column.is_float() or column.is_numeric() %}
                {%- do checks.append((mart, column.name)) %}
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
{%- endif %}
{%- if checks %}
    {%- for mart, column in checks %}
select
    '{{ mart.identifier }}' as mart,
    '{{ column }}' as column_name,
    count(*) as non_finite_values
from {{ mart }}
where {{ column }} is not null and not {{ is_finite_value(column) }}
having count(*) > 0
        {%- if not loop.last %}
union all
        {%- endif %}
    {%- endfor %}
{%- elif execute %}
-- Finding no numeric column at all means the check itself is broken.
select
    'all marts' as mart,
    'no numeric column found' as column_name,
    1 as non_finite_values
{%- else %}
select
    'none' as mart,
    'none' as column_name,
    0 as non_finite_values
where 1 = 0
{%- endif %}
