-- One row per Boston tract and neighborhood component present, standardized with the district
-- students' component statistics (the score a student living in the tract receives).
select
    raw.tract_geoid,
    raw.component_name,
    raw.indicators_used,
    raw.raw_score,
    {{ standardize('raw.raw_score', 'stats.mean_raw_score', 'stats.stddev_raw_score') }}
        as component_score
from {{ ref('int_tract_component_raw_scores') }} as raw
inner join {{ ref('int_component_statistics') }} as stats
    on raw.component_name = stats.component_name
