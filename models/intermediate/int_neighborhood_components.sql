-- One row per component built only from tract indicators (the neighborhood components): these are
-- imputed for students without a usable home tract.
select component_name
from {{ ref('int_active_indicator_definitions') }}
group by component_name
having min(case when substring(indicator_name, 1, 6) = 'tract_' then 1 else 0 end) = 1
