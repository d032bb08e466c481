-- One row per Boston tract and active neighborhood indicator with a value, scored with the
-- same district statistics as the students.
{{ score_indicators(ref('int_tract_indicators_unpivoted'), 'tract_geoid') }}
