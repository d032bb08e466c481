-- Each fund's award to each school in whole dollars: the per-pupil base plus the floor of the
-- school's exact need-weighted share, and one more dollar for the schools with the largest
-- remainders until the awards sum exactly to the budget (ties go to the lower school code).
with shares as (
    select * from {{ ref('int_school_fund_shares') }}
),

leftovers as (
    select
        fund_name,
        max(need_budget_dollars) - sum(need_dollars_floor) as leftover_dollars
    from shares
    group by fund_name
),

remainder_ranks as (
    select
        fund_name,
        school_code,
        row_number() over (
            partition by fund_name
            order by need_remainder desc, school_code asc
        ) as remainder_rank
    from shares
    where need_weight > 0
),

awards as (
    select
        shares.*,
        shares.need_dollars_floor
        + case when remainder_ranks.remainder_rank <= leftovers.leftover_dollars then 1 else 0 end
            as need_dollars
    from shares
    inner join leftovers
        on shares.fund_name = leftovers.fund_name
    left join remainder_ranks
        on shares.fund_name = remainder_ranks.fund_name
            and shares.school_code = remainder_ranks.school_code
),

award_ranks as (
    select
        fund_name,
        school_code,
        row_number() over (
            partition by fund_name
            order by base_dollars + need_dollars desc, school_code asc
        ) as allocation_rank
    from awards
    where is_eligible
),

funds as (
    select * from {{ ref('int_fund_parameters') }}
)

select
    awards.fund_name,
    awards.school_code,
    awards.school_name,
    awards.school_level,
    awards.opportunity_index,
    cast(awards.enrolled_students as integer) as enrolled_students,
    awards.is_eligible,
    case
        when awards.is_eligible then 'eligible'
        when awards.distance_to_threshold >= -{{ var('fund_near_threshold_margin') }} then 'just_below'
        else 'not_eligible'
    end as eligibility_status,
    cast(awards.distance_to_threshold as decimal(4, 2)) as distance_to_threshold,
    cast(awards.base_dollars as bigint) as base_dollars,
    cast(awards.need_dollars as bigint) as need_dollars,
    cast(awards.base_dollars + awards.need_dollars as bigint) as allocated_dollars,
    cast(awards.base_dollars + awards.need_dollars as {{ double_precision() }})
    / funds.budget_dollars as share_of_budget,
    cast(awards.base_dollars + awards.need_dollars as {{ double_precision() }})
    / awards.enrolled_students as dollars_per_pupil,
    cast(award_ranks.allocation_rank as integer) as allocation_rank
from awards
inner join funds
    on awards.fund_name = funds.fund_name
left join award_ranks
    on awards.fund_name = award_ranks.fund_name
        and awards.school_code = award_ranks.school_code
