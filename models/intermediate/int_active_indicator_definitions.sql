-- The active rows of seeds/config/component_definitions.csv with their need direction as a sign.
select
    indicator_name,
    component_name,
    need_direction,
    case need_direction
        when 'higher_is_more_need' then 1
        when 'higher_is_less_need' then -1
    end as need_sign
from {{ ref('component_definitions') }}
where is_active
