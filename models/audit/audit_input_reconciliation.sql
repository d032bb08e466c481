-- One row per input file: records read = records loaded (used) + records quarantined, and every
-- loaded record reaches staging. The test on this model proves that no record is lost.
-- noqa: disable=LT02
-- (sqlfluff cannot follow the indentation of the Jinja-generated union)
{%- set staged = {
    'census_tracts_2010': 'stg_census__tracts',
    'bari_block_group_disorder': 'stg_bari__block_group_disorder',
    'bpd_offense_codes': 'stg_bpd__offense_codes',
    'bpd_offense_records_by_tract': 'stg_bpd__offense_records_by_tract',
    'subsidized_housing_by_tract': 'stg_housing__subsidized_housing_by_tract',
    'dese_schools': 'stg_dese__schools',
    'dese_enrollment_by_grade': 'stg_dese__enrollment_by_grade',
    'students': 'stg_sis__students',
    'enrollments': 'stg_sis__enrollments',
    'addresses': 'stg_sis__addresses',
    'attendance': 'stg_sis__attendance',
    'discipline_incidents': 'stg_sis__discipline_incidents',
    'course_marks': 'stg_sis__course_marks',
    'assessments': 'stg_sis__assessments',
    'academic_outcomes': 'stg_sis__academic_outcomes',
} %}
with counted as (
    {%- for file, model in staged.items() %}
    select
        '{{ file }}' as file_name,
        (select count(*) from {{ source('quarantine', file) }}) as records_in_quarantine,
        (select count(*) from {{ ref(model) }}) as records_in_staging
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    load_log.file_name,
    load_log.folder,
    load_log.path,
    load_log.sha256,
    cast(load_log.records_read as integer) as records_read,
    cast(load_log.records_loaded as integer) as records_loaded,
    cast(load_log.records_quarantined as integer) as records_quarantined,
    cast(counted.records_in_quarantine as integer) as records_in_quarantine,
    cast(counted.records_in_staging as integer) as records_in_staging
from {{ source('load', 'load_log') }} as load_log
full outer join counted
    on load_log.file_name = counted.file_name
