-- One row per quarantined record of any input file: where it was, why it was not used, and what
-- it held (column=value pairs as written in the file).
-- noqa: disable=LT02
-- (sqlfluff cannot follow the indentation of the Jinja-generated union)
{%- set files = [
    'census_tracts_2010', 'bari_block_group_disorder', 'bpd_offense_codes',
    'bpd_offense_records_by_tract', 'subsidized_housing_by_tract', 'dese_schools',
    'dese_enrollment_by_grade', 'students', 'enrollments', 'addresses', 'attendance',
    'discipline_incidents', 'course_marks', 'assessments', 'academic_outcomes',
] %}
{%- for file in files %}
{%- set relation = source('quarantine', file) %}
{%- set columns = [] %}
{%- if execute %}
    {%- for column in adapter.get_columns_in_relation(relation) %}
        {%- if column.name not in ['source_row', 'reason_codes', 'reason_detail'] %}
            {%- do columns.append(column.name) %}
        {%- endif %}
    {%- endfor %}
{%- endif %}
select
    '{{ file }}' as file_name,
    source_row,
    reason_codes,
    reason_detail,
    {%- if columns %}
    concat_ws('; ', {% for column in columns %}'{{ column }}=' || coalesce({{ column }}, ''){{ ', ' if not loop.last }}{% endfor %})
    {%- else %}
    cast(null as {{ dbt.type_string() }})
    {%- endif %} as record_as_written
from {{ relation }}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
