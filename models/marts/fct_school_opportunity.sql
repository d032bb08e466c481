-- The school Opportunity Index: the mean of its students' district percentiles, rounded half-up
-- to 2 decimals (exactly, from integer ranks) and kept within [0.01, 0.99].
with school_students as (
    select
        school_code,
        count(*) as enrolled_students,
        count(need_percentile) as scored_students,
        sum(case when is_partially_scored then 1 else 0 end) as partially_scored_students,
        sum(need_rank - 1) as sum_rank_above_lowest,
        max(scored_students) as district_scored_students,
        {{ exact_mean('need_percentile') }} as opportunity_index_unrounded
    from {{ ref('int_student_need_scores') }}
    group by school_code
),

imputed_students as (
    select
        enrolled.school_code,
        count(distinct imputations.student_id) as neighborhood_imputed_students
    from {{ ref('int_student_neighborhood_imputations') }} as imputations
    inner join {{ ref('int_students_enrolled') }} as enrolled
        on imputations.student_id = enrolled.student_id
    group by enrolled.school_code
),

component_sums as (
    select
        need.school_code,
        contributions.component_name,
        cast({{ exact_sum('contributions.percentile_contribution') }} as {{ double_precision() }})
            as contribution_sum
    from {{ ref('int_student_component_contributions') }} as contributions
    inner join {{ ref('int_student_need_scores') }} as need
        on contributions.student_id = need.student_id
    group by need.school_code, contributions.component_name
),

-- A component's contribution is its share of the school's mean percentile.
contributions as (
    select
        component_sums.school_code,
        {{ pivot_components(
            'component_sums.contribution_sum / school_students.scored_students', suffix='_contribution'
        ) }}
    from component_sums
    inner join school_students
        on component_sums.school_code = school_students.school_code
    group by component_sums.school_code
),

largest as (
    select
        school_code,
        component_name as largest_component
    from (
        select
            component_sums.school_code,
            component_sums.component_name,
            row_number() over (
                partition by component_sums.school_code
                order by component_sums.contribution_sum desc, components.display_order asc
            ) as contribution_rank
        from component_sums
        inner join {{ ref('components') }} as components
            on component_sums.component_name = components.component_name
    ) as ranked
    where contribution_rank = 1
),

indexed as (
    select
        *,
        case
            when district_scored_students > 1 and scored_students > 0
                then {{ round_ratio_half_up(
                    'sum_rank_above_lowest',
                    '(district_scored_students - 1) * scored_students'
                ) }}
        end as rounded_index
    from school_students
)

select
    indexed.school_code,
    schools.school_name,
    spans.peer_level as school_level,
    spans.grade_span_category,
    cast(indexed.enrolled_students as integer) as enrolled_students,
    cast(indexed.scored_students as integer) as scored_students,
    cast(indexed.partially_scored_students as integer) as partially_scored_students,
    cast(coalesce(imputed_students.neighborhood_imputed_students, 0) as integer)
        as neighborhood_imputed_students,
    cast(least(greatest(indexed.rounded_index, 0.01), 0.99) as decimal(3, 2)) as opportunity_index,
    indexed.opportunity_index_unrounded,
    percent_rank() over (
        partition by spans.peer_level
        order by least(greatest(indexed.rounded_index, 0.01), 0.99)
    ) as percentile_within_level,
    -- A component that none of the school's students has contributes nothing.
    -- noqa: disable=LT02
    {%- for component in var('components') %}
    case
        when indexed.scored_students > 0 then coalesce(contributions.{{ component }}_contribution, 0)
    end as {{ component }}_contribution,
    {%- endfor %}
    -- noqa: enable=LT02
    largest.largest_component
from indexed
left join {{ ref('stg_dese__schools') }} as schools
    on indexed.school_code = schools.school_code
left join {{ ref('int_schools_grade_spans') }} as spans
    on indexed.school_code = spans.school_code
left join contributions
    on indexed.school_code = contributions.school_code
left join largest
    on indexed.school_code = largest.school_code
left join imputed_students
    on indexed.school_code = imputed_students.school_code
