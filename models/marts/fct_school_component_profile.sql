-- What drives each school's OI, and how its students' needs compare with its peers': per school
-- and component, the component's contribution to the OI beside the average school of its level
-- and of the district, and the school's percent rank among same-level schools by contribution and
-- by its students' mean component score (ties equal).
with contributions as (
    {{ unpivot_components(
        ref('fct_school_opportunity'),
        ['school_code', 'school_level', 'opportunity_index_unrounded'],
        '_contribution',
        'contribution'
    ) }}
),

student_scores as (
    {{ unpivot_components(
        ref('fct_student_opportunity'), ['school_code'], '_score', 'component_score'
    ) }}
),

school_scores as (
    select
        school_code,
        component_name,
        count(component_score) as students_with_component,
        {{ exact_mean('component_score') }} as mean_component_score
    from student_scores
    group by school_code, component_name
),

peer_means as (
    select
        component_name,
        school_level,
        {{ exact_mean('contribution') }} as level_mean_contribution
    from contributions
    group by component_name, school_level
),

district_means as (
    select
        component_name,
        {{ exact_mean('contribution') }} as district_mean_contribution
    from contributions
    group by component_name
),

ranked as (
    select
        contributions.*,
        school_scores.students_with_component,
        school_scores.mean_component_score,
        -- Schools without a value are left out of a ranking, not ranked first.
        case
            when contributions.contribution is not null
                then percent_rank() over (
                        partition by
                            contributions.school_level,
                            contributions.component_name,
                            contributions.contribution is null
                        order by contributions.contribution
                    )
        end as contribution_percentile_within_level,
        case
            when school_scores.mean_component_score is not null
                then percent_rank() over (
                        partition by
                            contributions.school_level,
                            contributions.component_name,
                            school_scores.mean_component_score is null
                        order by school_scores.mean_component_score
                    )
        end as score_percentile_within_level
    from contributions
    left join school_scores
        on
            contributions.school_code = school_scores.school_code
            and contributions.component_name = school_scores.component_name
)

select
    ranked.school_code,
    ranked.component_name,
    components.component_label,
    cast(components.display_order as integer) as display_order,
    ranked.school_level,
    ranked.contribution,
    case
        when ranked.opportunity_index_unrounded > 0
            then ranked.contribution / ranked.opportunity_index_unrounded
    end as share_of_index,
    peer_means.level_mean_contribution,
    district_means.district_mean_contribution,
    ranked.contribution_percentile_within_level,
    cast(coalesce(ranked.students_with_component, 0) as integer) as students_with_component,
    ranked.mean_component_score,
    ranked.score_percentile_within_level
from ranked
inner join {{ ref('components') }} as components
    on ranked.component_name = components.component_name
inner join peer_means
    on
        ranked.component_name = peer_means.component_name
        and ranked.school_level = peer_means.school_level
inner join district_means
    on ranked.component_name = district_means.component_name
