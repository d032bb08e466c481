select
    placement_status,
    nullif(cast(tract_geoid as {{ dbt.type_string() }}), '') as tract_geoid,
    cast(offense_code as {{ dbt.type_string() }}) as offense_code,
    cast(offense_records as integer) as offense_records
from {{ ref('bpd_offense_records_by_tract') }}
