-- One row per enrollment spell of the current school year covering the snapshot date. A student
-- in two schools on that date is counted at the spell with the latest entry date (ties: the lower
-- school code): spell_rank = 1.
select
    student_id,
    school_code,
    grade,
    entry_date,
    count(*) over (partition by student_id) as spells_on_snapshot,
    row_number() over (
        partition by student_id order by entry_date desc, school_code asc
    ) as spell_rank
from {{ ref('stg_sis__enrollments') }}
where school_year = '{{ var("school_year") }}'
    and entry_date <= cast('{{ var("snapshot_date") }}' as date)
    and (exit_date is null or exit_date > cast('{{ var("snapshot_date") }}' as date))
