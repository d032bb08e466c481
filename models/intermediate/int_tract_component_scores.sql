-- One row per Boston tract and neighborhood component present, standardized with the district
-- students' component statistics (the score a student living in the tract receives).
select
    raw_scores.tract_geoid,
    raw_scores.component_name,
    raw_scores.indicators_used,
    raw_scores.raw_score,
    {{ standardize('raw_scores.raw_score', 'stats.mean_raw_score', 'stats.stddev_raw_score') }}
        as component_score
from {{ ref('int_tract_component_raw_scores') }} as raw_scores
inner join {{ ref('int_component_statistics') }} as stats
    on raw_scores.component_name = stats.component_name
