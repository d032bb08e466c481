-- Every indicator named in component_definitions must be a column of the wide indicator model;
-- a typo would otherwise silently drop the indicator from the index.
{%- set known = indicator_columns(ref('int_student_indicators_wide'), ['student_id']) or ['none'] %}
select
    definitions.indicator_name,
    definitions.component_name,
    'unknown indicator: not a column of int_student_indicators_wide' as reason
from {{ ref('component_definitions') }} as definitions
left join {{ literal_table(known, 'indicator_name', 'known') }}
    on definitions.indicator_name = known.indicator_name
where known.indicator_name is null
