-- One row per enrolled student who has every component that exists in the district (all five,
-- unless component_definitions leaves one without an active indicator), none of them imputed, and
-- an outcome: what scripts/fit_weights.py regresses the outcome on, per level.
with components_in_district as (
    select count(distinct component_name) as components
    from {{ ref('int_student_component_scores') }}
),

wide as (
    select
        student_id,
        count(*) as components_present,
        {{ pivot_components('component_score', suffix='_score') }}
    from {{ ref('int_student_component_scores') }}
    group by student_id
    having max(case when is_imputed then 1 else 0 end) = 0
)

select
    enrolled.student_id,
    enrolled.school_code,
    enrolled.school_level,
    -- noqa: disable=LT02
    {%- for component in var('components') %}
    wide.{{ component }}_score,
    {%- endfor %}
    -- noqa: enable=LT02
    outcomes.outcome_score
from wide
inner join {{ ref('int_students_enrolled') }} as enrolled
    on wide.student_id = enrolled.student_id
inner join {{ ref('stg_sis__academic_outcomes') }} as outcomes
    on wide.student_id = outcomes.student_id
        and outcomes.school_year = '{{ var("school_year") }}'
inner join components_in_district
    on wide.components_present = components_in_district.components
where outcomes.outcome_score is not null
