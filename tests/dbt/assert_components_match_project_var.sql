-- The components seed and the `components` var (which fixes the mart columns) must name the same
-- five components.
select
    coalesce(seed.component_name, from_var.component_name) as component_name,
    case
        when seed.component_name is null then 'in var components but not in the components seed'
        else 'in the components seed but not in var components'
    end as reason
from {{ ref('components') }} as seed
full outer join {{ literal_table(var('components'), 'component_name', 'from_var') }}
    on seed.component_name = from_var.component_name
where seed.component_name is null or from_var.component_name is null
