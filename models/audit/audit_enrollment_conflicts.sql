-- One row per enrollment spell of a student enrolled in more than one school on the snapshot
-- date; is_counted marks the spell that counts (latest entry date), so the district can correct
-- the others.
select
    student_id,
    school_code,
    grade,
    entry_date,
    spells_on_snapshot,
    spell_rank = 1 as is_counted
from {{ ref('int_enrollment_spells_on_snapshot') }}
where spells_on_snapshot > 1
