-- A fund's per-pupil base, given to every eligible pupil, must fit in its budget: otherwise no
-- allocation can sum to the budget. Each row names the fund and the amounts.
with eligible_bases as (
    select
        fund_shares.fund_name,
        max(fund_parameters.base_dollars_per_pupil) as base_dollars_per_pupil,
        max(fund_parameters.budget_dollars) as budget_dollars,
        sum(fund_shares.enrolled_students) as eligible_students,
        sum(fund_shares.base_dollars) as base_dollars
    from {{ ref('int_school_fund_shares') }} as fund_shares
    inner join {{ ref('int_fund_parameters') }} as fund_parameters
        on fund_shares.fund_name = fund_parameters.fund_name
    where fund_shares.is_eligible
    group by fund_shares.fund_name
)

select
    fund_name,
    'base ' || cast(base_dollars_per_pupil as {{ dbt.type_string() }})
    || ' dollars per pupil x ' || cast(eligible_students as {{ dbt.type_string() }})
    || ' eligible pupils = ' || cast(base_dollars as {{ dbt.type_string() }})
    || ' dollars exceeds the budget of ' || cast(budget_dollars as {{ dbt.type_string() }}) as reason
from eligible_bases
where base_dollars > budget_dollars
