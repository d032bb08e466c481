select
    schools.school_code,
    schools.school_name,
    schools.street_address,
    schools.neighborhood,
    schools.zip_code,
    schools.latitude,
    schools.longitude,
    schools.location_source,
    spans.grades_offered,
    spans.lowest_grade,
    spans.highest_grade,
    spans.grade_span_category,
    spans.peer_level,
    cast(spans.dese_enrollment as integer) as dese_enrollment
from {{ ref('stg_dese__schools') }} as schools
left join {{ ref('int_schools_grade_spans') }} as spans
    on schools.school_code = spans.school_code
