select
    school_code,
    school_name,
    street_address,
    neighborhood,
    zip_code,
    latitude,
    longitude,
    location_source
from {{ source('dese', 'dese_schools') }}
