-- One row per enrolled student and active indicator with a value: oriented, winsorized and
-- standardized.
{{ score_indicators(ref('int_student_indicators_unpivoted'), 'student_id') }}
