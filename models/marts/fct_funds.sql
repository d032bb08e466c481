-- Each fund's parameters and outcome: how many schools and students are eligible, what was
-- allocated, and the smallest and largest award.
with awards as (
    select
        fund_name,
        count(case when is_eligible then 1 end) as eligible_schools,
        sum(case when is_eligible then enrolled_students else 0 end) as eligible_students,
        count(case when eligibility_status = 'just_below' then 1 end) as schools_just_below,
        sum(allocated_dollars) as allocated_dollars,
        min(case when is_eligible then allocated_dollars end) as smallest_award,
        max(case when is_eligible then allocated_dollars end) as largest_award
    from {{ ref('fct_school_fund_allocations') }}
    group by fund_name
)

select
    funds.fund_name,
    funds.fund_label,
    cast(funds.display_order as integer) as display_order,
    funds.budget_dollars,
    funds.min_opportunity_index,
    funds.base_dollars_per_pupil,
    cast(coalesce(awards.eligible_schools, 0) as integer) as eligible_schools,
    cast(coalesce(awards.eligible_students, 0) as integer) as eligible_students,
    cast(coalesce(awards.schools_just_below, 0) as integer) as schools_just_below,
    cast(coalesce(awards.allocated_dollars, 0) as bigint) as allocated_dollars,
    cast(funds.budget_dollars - coalesce(awards.allocated_dollars, 0) as bigint) as unallocated_dollars,
    cast(awards.smallest_award as bigint) as smallest_award,
    cast(awards.largest_award as bigint) as largest_award
from {{ ref('int_fund_parameters') }} as funds
left join awards
    on funds.fund_name = awards.fund_name
