-- One row per value of a used record that was not taken as written: emptied with a reason (an
-- invalid value, a Census special value, out of range; value_kept false) or normalized (zeros
-- restored, a tract label parsed, a censored median; value_kept true).
select
    file_name,
    source_row,
    column_name,
    raw_value,
    note,
    detail,
    value_kept
from {{ source('load', 'value_notes') }}
