select
    weights.school_level,
    weights.component_name,
    components.component_label,
    cast(components.display_order as integer) as display_order,
    cast(weights.weight as {{ double_precision() }}) as weight,
    fits.fit_method,
    cast(fits.students_fitted as integer) as students_fitted,
    cast(fits.r2_in_sample as {{ double_precision() }}) as r2_in_sample,
    cast(fits.r2_cross_validated as {{ double_precision() }}) as r2_cross_validated,
    fits.input_hash
from {{ ref('component_weights') }} as weights
inner join {{ ref('components') }} as components
    on weights.component_name = components.component_name
left join {{ ref('component_weight_fits') }} as fits
    on weights.school_level = fits.school_level
