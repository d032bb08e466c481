select
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    school_name,
    street_address,
    neighborhood,
    cast(zip_code as {{ dbt.type_string() }}) as zip_code,
    cast(latitude as {{ double_precision() }}) as latitude,
    cast(longitude as {{ double_precision() }}) as longitude,
    location_source
from {{ ref('dese_schools') }}
