with component_scores as (
    select
        student_id,
        {{ pivot_components('component_score', suffix='_score') }}
    from {{ ref('int_student_component_scores') }}
    group by student_id
),

imputed as (
    select
        student_id,
        true as is_imputed
    from {{ ref('int_student_neighborhood_imputations') }}
    group by student_id
),

contributions as (
    select
        student_id,
        {{ pivot_components('percentile_contribution', suffix='_contribution') }}
    from {{ ref('int_student_component_contributions') }}
    group by student_id
)

select
    enrolled.student_id,
    enrolled.school_code,
    enrolled.grade,
    enrolled.school_level,
    homes.home_tract_geoid,
    homes.neighborhood_status,
    coalesce(imputed.is_imputed, false) as neighborhood_imputed,
    cast(need.components_present as integer) as components_present,
    need.is_partially_scored,
    need.missing_components,
    -- noqa: disable=LT02
    {%- for component in var('components') %}
    component_scores.{{ component }}_score,
    {%- endfor %}
    -- noqa: enable=LT02
    need.need_score,
    need.need_percentile,
    -- A missing component contributes nothing to a scored student's percentile.
    -- noqa: disable=LT02
    {%- for component in var('components') %}
    case
        when need.need_percentile is not null then coalesce(contributions.{{ component }}_contribution, 0)
    end as {{ component }}_contribution,
    {%- endfor %}
    -- noqa: enable=LT02
    -- Joined after the index is computed, for equity reporting; never an input.
    race.race_ethnicity
from {{ ref('int_students_enrolled') }} as enrolled
inner join {{ ref('int_student_need_scores') }} as need
    on enrolled.student_id = need.student_id
left join {{ ref('int_student_home_addresses') }} as homes
    on enrolled.student_id = homes.student_id
left join component_scores
    on enrolled.student_id = component_scores.student_id
left join contributions
    on enrolled.student_id = contributions.student_id
left join imputed
    on enrolled.student_id = imputed.student_id
left join {{ ref('stg_sis__student_race_ethnicity') }} as race
    on enrolled.student_id = race.student_id
