-- One row per fund and scored school: eligibility, the per-pupil base, and the school's exact
-- share of the fund's need-weighted part as an integer floor and remainder (no floating point),
-- ready for largest-remainder rounding.
with schools as (
    select
        school_code,
        school_name,
        school_level,
        enrolled_students,
        opportunity_index,
        -- The OI has two decimals, so enrollment x OI x 100 is a whole number.
        cast(opportunity_index * 100 as bigint) as opportunity_index_hundredths
    from {{ ref('fct_school_opportunity') }}
),

candidates as (
    select
        funds.fund_name,
        funds.budget_dollars,
        funds.min_opportunity_index,
        funds.base_dollars_per_pupil,
        schools.school_code,
        schools.school_name,
        schools.school_level,
        schools.enrolled_students,
        schools.opportunity_index,
        coalesce(schools.opportunity_index >= funds.min_opportunity_index, true) as is_eligible,
        cast(schools.opportunity_index - funds.min_opportunity_index as decimal(4, 2))
            as distance_to_threshold,
        schools.opportunity_index_hundredths
    from {{ ref('int_fund_parameters') }} as funds
    cross join schools
),

weighted as (
    select
        *,
        case
            when is_eligible then cast(enrolled_students as bigint) * opportunity_index_hundredths else 0
        end as need_weight,
        case
            when is_eligible then base_dollars_per_pupil * enrolled_students else 0
        end as base_dollars
    from candidates
),

fund_totals as (
    select
        fund_name,
        sum(need_weight) as total_need_weight,
        sum(base_dollars) as total_base_dollars
    from weighted
    group by fund_name
),

need_budgets as (
    select
        weighted.*,
        fund_totals.total_need_weight,
        -- A base larger than the budget leaves nothing to split (assert_fund_parameters_feasible).
        greatest(weighted.budget_dollars - fund_totals.total_base_dollars, 0) as need_budget_dollars
    from weighted
    inner join fund_totals
        on weighted.fund_name = fund_totals.fund_name
),

floors as (
    select
        *,
        case
            when total_need_weight > 0
                then {{ integer_floor_divide('need_budget_dollars * need_weight', 'total_need_weight') }}
            else 0
        end as need_dollars_floor
    from need_budgets
)

select
    fund_name,
    school_code,
    school_name,
    school_level,
    enrolled_students,
    opportunity_index,
    is_eligible,
    distance_to_threshold,
    base_dollars,
    need_weight,
    total_need_weight,
    need_budget_dollars,
    need_dollars_floor,
    -- The fraction of a dollar lost by the floor, in units of 1 / total_need_weight.
    need_budget_dollars * need_weight - need_dollars_floor * total_need_weight as need_remainder
from floors
