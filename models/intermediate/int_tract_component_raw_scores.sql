-- One row per Boston tract and neighborhood component with at least one indicator value.
{{ component_raw_scores(ref('int_tract_indicator_scores'), 'tract_geoid') }}
