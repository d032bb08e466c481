select
    cast(offense_code as {{ dbt.type_string() }}) as offense_code,
    trim(offense_name) as offense_name,
    offense_group
from {{ ref('bpd_offense_codes') }}
