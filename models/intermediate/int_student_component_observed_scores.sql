-- One row per enrolled student and component with at least one indicator value: the component
-- score in district standard deviations, from the student's own data.
{{ standardized_component_scores(ref('int_student_component_raw_scores'), 'student_id') }}
