-- One row per enrolled student and component with at least one indicator value.
{{ component_raw_scores(ref('int_student_indicator_scores'), 'student_id') }}
