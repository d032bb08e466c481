-- The weights seed must give every school level a non-negative weight for every component, name
-- only known levels and components, and sum to 1 per level. Each failing row names the level,
-- the component and the reason.
with levels as (
    select school_level from {{ literal_table(var('school_levels'), 'school_level', 'known_levels') }}
),

weights as (
    select
        school_level,
        component_name,
        cast(weight as {{ double_precision() }}) as weight
    from {{ ref('component_weights') }}
),

expected as (
    select
        levels.school_level,
        components.component_name
    from levels
    cross join {{ ref('components') }} as components
),

problems as (
    select
        expected.school_level,
        expected.component_name,
        'missing weight' as reason
    from expected
    left join weights
        on expected.school_level = weights.school_level
            and expected.component_name = weights.component_name
    where weights.weight is null
    union all
    select
        school_level,
        component_name,
        'negative weight ' || cast(weight as {{ dbt.type_string() }}) as reason
    from weights
    where weight < 0
    union all
    select
        weights.school_level,
        weights.component_name,
        'unknown component' as reason
    from weights
    left join {{ ref('components') }} as components
        on weights.component_name = components.component_name
    where components.component_name is null
    union all
    select
        weights.school_level,
        weights.component_name,
        'unknown school level' as reason
    from weights
    left join levels
        on weights.school_level = levels.school_level
    where levels.school_level is null
    union all
    select
        school_level,
        '(all components)' as component_name,
        'weights sum to '
        || cast(cast(sum(weight) as decimal(18, 6)) as {{ dbt.type_string() }})
        || ', not 1' as reason
    from weights
    group by school_level
    having abs(sum(weight) - 1) > 0.000001
    union all
    select
        school_level,
        component_name,
        'listed ' || cast(count(*) as {{ dbt.type_string() }}) || ' times' as reason
    from weights
    group by school_level, component_name
    having count(*) > 1
)

select * from problems
