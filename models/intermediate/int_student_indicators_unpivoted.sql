-- One row per enrolled student and known indicator value (long form of the wide model).
{{ unpivot_indicators(ref('int_student_indicators_wide'), ['student_id']) }}
