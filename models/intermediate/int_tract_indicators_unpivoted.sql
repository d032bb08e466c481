-- One row per Boston tract and known neighborhood indicator value.
{{ unpivot_indicators(ref('int_tracts_neighborhood_indicators'), ['tract_geoid']) }}
