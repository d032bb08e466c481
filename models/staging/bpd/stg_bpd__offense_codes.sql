select
    offense_code,
    offense_name,
    offense_group
from {{ source('bpd', 'bpd_offense_codes') }}
