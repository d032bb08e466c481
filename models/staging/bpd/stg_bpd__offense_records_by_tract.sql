select
    placement_status,
    tract_geoid,
    offense_code,
    cast(offense_records as integer) as offense_records
from {{ source('bpd', 'bpd_offense_records_by_tract') }}
