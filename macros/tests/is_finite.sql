{#
    Fails with the rows where `column_name` is NaN or +/- infinity. NULLs pass (test them with
    not_null where a value is required).
#}
{% test is_finite(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} is not null
    and not {{ opportunity_index.is_finite_value(column_name) }}
{% endtest %}
