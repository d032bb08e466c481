-- Each school level needs a weight for each component, or its students would be scored on fewer.
with expected as (
    select
        levels.school_level,
        components.component_name
    from {{ literal_table(var('school_levels'), 'school_level', 'levels') }}
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
