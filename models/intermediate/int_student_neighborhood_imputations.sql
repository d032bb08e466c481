-- One row per enrolled student and neighborhood component the student lacks (no address, a
-- shelter or PO box, a home outside the city or in an excluded tract, or a tract without data):
-- the imputed score is the mean score of the students of the same school whose home tract is
-- known, or the district mean (0) when nobody at the school has one. The reason is kept.
with neighborhood_scores as (
    select
        scores.student_id,
        scores.component_name,
        scores.component_score,
        enrolled.school_code
    from {{ ref('int_student_component_observed_scores') }} as scores
    inner join {{ ref('int_neighborhood_components') }} as neighborhood
        on scores.component_name = neighborhood.component_name
    inner join {{ ref('int_students_enrolled') }} as enrolled
        on scores.student_id = enrolled.student_id
),

school_means as (
    select
        school_code,
        component_name,
        {{ exact_mean('component_score') }} as mean_component_score
    from neighborhood_scores
    group by school_code, component_name
),

missing as (
    select
        enrolled.student_id,
        enrolled.school_code,
        neighborhood.component_name
    from {{ ref('int_students_enrolled') }} as enrolled
    cross join {{ ref('int_neighborhood_components') }} as neighborhood
    left join neighborhood_scores as scores
        on enrolled.student_id = scores.student_id
            and neighborhood.component_name = scores.component_name
    where scores.student_id is null
)

select
    missing.student_id,
    missing.component_name,
    coalesce(school_means.mean_component_score, 0) as component_score,
    case
        when school_means.school_code is not null then 'school_mean' else 'district_mean'
    end as imputation_method,
    case
        when homes.neighborhood_status = 'observed' then 'tract_data_missing'
        else homes.neighborhood_status
    end as imputation_reason
from missing
inner join {{ ref('int_student_home_addresses') }} as homes
    on missing.student_id = homes.student_id
left join school_means
    on missing.school_code = school_means.school_code
        and missing.component_name = school_means.component_name
