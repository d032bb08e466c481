-- Every indicator named in component_definitions must be a column of the wide indicator model;
-- a typo would otherwise silently drop the indicator from the index.
{%- set known = indicator_columns(ref('int_student_indicators_wide'), ['student_id']) %}
select
    definitions.indicator_name,
    definitions.component_name,
    'unknown indicator: not a column of int_student_indicators_wide' as reason
from {{ ref('component_definitions') }} as definitions
where definitions.indicator_name not in (
    {%- for name in known %}'{{ name }}'{{ ',' if not loop.last }}{% endfor %}
    {%- if not known %}''{% endif %}
)
