-- Each school level needs a weight for each component, or its students would be scored on fewer.
with expected as (
    select
        levels.school_level,
        components.component_name
    from (
        {%- for level in var('school_levels') %}
        select '{{ level }}' as school_level
        {{ 'union all' if not loop.last }}
        {%- endfor %}
    ) as levels
    cross join {{ ref('components') }} as components
)

select
    expected.school_level,
    expected.component_name,
    'no weight for this level and component' as reason
from expected
left join {{ ref('component_weights') }} as weights
    on expected.school_level = weights.school_level
        and expected.component_name = weights.component_name
where weights.weight is null
