-- Every row of component_definitions must name a known indicator (a column of
-- int_student_indicators_wide) and a known component, with a valid direction and active flag;
-- a typo would otherwise silently drop the indicator from the index.
{%- set known = indicator_columns(ref('int_student_indicators_wide'), ['student_id']) or ['none'] %}
with definitions as (
    select * from {{ ref('component_definitions') }}
)

select
    definitions.indicator_name,
    definitions.component_name,
    'unknown indicator: not a column of int_student_indicators_wide' as reason
from definitions
left join {{ literal_table(known, 'indicator_name', 'known') }}
    on definitions.indicator_name = known.indicator_name
where known.indicator_name is null
union all
select
    definitions.indicator_name,
    definitions.component_name,
    'unknown component' as reason
from definitions
left join {{ ref('components') }} as components
    on definitions.component_name = components.component_name
where components.component_name is null
union all
select
    indicator_name,
    component_name,
    'need_direction must be higher_is_more_need or higher_is_less_need' as reason
from definitions
where need_direction is null or need_direction not in ('higher_is_more_need', 'higher_is_less_need')
union all
select
    indicator_name,
    component_name,
    'is_active must be true or false' as reason
from definitions
where is_active is null
union all
select
    indicator_name,
    component_name,
    'listed ' || cast(count(*) as {{ dbt.type_string() }}) || ' times' as reason
from definitions
group by indicator_name, component_name
having count(*) > 1
