-- One row per Boston tract and neighborhood component present, standardized with the district
-- students' component statistics (the score a student living in the tract receives).
{{ standardized_component_scores(ref('int_tract_component_raw_scores'), 'tract_geoid') }}
