-- One row per fund of var('funds') (checked by validated_funds): budget, eligibility threshold
-- and per-pupil base, in the order the funds are listed.
{%- set funds = validated_funds() %}

select
    fund_values.fund_name,
    fund_values.fund_label,
    cast(fund_values.display_order as integer) as display_order,
    cast(fund_values.budget_dollars as bigint) as budget_dollars,
    cast(fund_values.min_opportunity_index as decimal(3, 2)) as min_opportunity_index,
    cast(fund_values.base_dollars_per_pupil as bigint) as base_dollars_per_pupil
from (
    values
    {%- for fund in funds %}
        (
            {{ string_literal(fund.fund_name) }},
            {{ string_literal(fund.fund_label) }},
            {{ loop.index }},
            {{ fund.budget_dollars }},
            {{ 'null' if fund.min_opportunity_index is none else fund.min_opportunity_index }},
            {{ fund.base_dollars_per_pupil }}
        ){{ ',' if not loop.last }}
    {%- endfor %}
) as fund_values (
    fund_name, fund_label, display_order, budget_dollars, min_opportunity_index, base_dollars_per_pupil
)
