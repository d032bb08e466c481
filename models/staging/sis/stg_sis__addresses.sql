select
    trim(student_id) as student_id,
    cast(address_start_date as date) as address_start_date,
    cast(nullif(trim(address_end_date), '') as date) as address_end_date,
    nullif(trim(census_tract_geoid), '') as census_tract_geoid,
    {{ yes_no_flag('is_public_housing') }} as is_public_housing
from {{ source('sis', 'addresses') }}
