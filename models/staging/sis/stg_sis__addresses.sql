select
    source_row,
    student_id,
    address_start_date,
    address_end_date,
    census_tract_geoid,
    is_public_housing,
    address_type
from {{ source('sis', 'addresses') }}
