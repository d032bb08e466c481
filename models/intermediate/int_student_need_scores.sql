-- One row per enrolled student: the weighted need score, the components it rests on, and the
-- student's percentile among the district's scored students (0 = least need, 1 = most).
with need as (
    select
        student_id,
        count(*) as components_present,
        max(weight_present) as weight_present,
        cast({{ exact_sum('applied_weight * component_score') }} as {{ double_precision() }})
            as need_score
    from {{ ref('int_student_component_weights') }}
    where applied_weight is not null
    group by student_id
),

missing as (
    select
        enrolled.student_id,
        {{ dbt.listagg('components.component_name', "', '", 'order by components.display_order') }}
            as missing_components
    from {{ ref('int_students_enrolled') }} as enrolled
    cross join {{ ref('components') }} as components
    -- Only components that exist in the district can be missing: a component left without
    -- active indicators in component_definitions is absent for everyone.
    inner join {{ ref('int_component_statistics') }} as district_components
        on components.component_name = district_components.component_name
    left join {{ ref('int_student_component_weights') }} as present
        on enrolled.student_id = present.student_id
            and components.component_name = present.component_name
            and present.applied_weight is not null
    where present.student_id is null
    group by enrolled.student_id
),

ranked as (
    select
        enrolled.student_id,
        enrolled.school_code,
        enrolled.school_level,
        coalesce(need.components_present, 0) as components_present,
        missing.missing_components,
        need.need_score,
        case
            when need.need_score is not null
                then rank() over (
                        partition by case when need.need_score is null then 1 else 0 end
                        order by need.need_score
                    )
        end as need_rank,
        count(need.need_score) over () as scored_students
    from {{ ref('int_students_enrolled') }} as enrolled
    left join need
        on enrolled.student_id = need.student_id
    left join missing
        on enrolled.student_id = missing.student_id
)

select
    student_id,
    school_code,
    school_level,
    components_present,
    missing_components,
    missing_components is not null as is_partially_scored,
    need_score,
    need_rank,
    scored_students,
    -- Percent rank: the share of other scored students with less need; ties share a value.
    case
        when need_rank is not null and scored_students > 1
            then cast(need_rank - 1 as {{ double_precision() }}) / (scored_students - 1)
        when need_rank is not null then 0
    end as need_percentile
from ranked
