-- One row per scored student and component present: the part of the student's percentile that
-- the component accounts for. The percentile is shared in proportion to applied weight x the
-- student's need rank on the component, so contributions are non-negative and sum to it.
with shares as (
    select
        student_id,
        cast({{ exact_sum('applied_weight * component_need_rank') }} as {{ double_precision() }})
            as share_denominator
    from {{ ref('int_student_component_weights') }}
    group by student_id
)

select
    weights.student_id,
    weights.component_name,
    weights.applied_weight,
    weights.component_need_rank,
    need.need_percentile,
    -- The numerator is rounded like the terms of the denominator's exact sum, so a student's
    -- shares add up to 1 (a single component gets exactly the whole percentile).
    need.need_percentile
    * cast(
        {{ fixed_point('weights.applied_weight * weights.component_need_rank') }} as {{ double_precision() }}
    )
    / nullif(shares.share_denominator, 0) as percentile_contribution
from {{ ref('int_student_component_weights') }} as weights
inner join shares
    on weights.student_id = shares.student_id
inner join {{ ref('int_student_need_scores') }} as need
    on weights.student_id = need.student_id
where need.need_percentile is not null
