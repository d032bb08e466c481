-- Warns when a fund's threshold leaves no school eligible: its budget stays unallocated.
{{ config(severity='warn') }}
select
    funds.fund_name,
    'no school has an OI of at least ' || cast(funds.min_opportunity_index as {{ dbt.type_string() }})
    || '; the highest is ' || cast(max(schools.opportunity_index) as {{ dbt.type_string() }})
    || ', so the budget of ' || cast(funds.budget_dollars as {{ dbt.type_string() }})
    || ' dollars is not allocated' as reason
from {{ ref('fct_funds') }} as funds
cross join {{ ref('fct_school_opportunity') }} as schools
where funds.eligible_schools = 0
group by funds.fund_name, funds.min_opportunity_index, funds.budget_dollars
