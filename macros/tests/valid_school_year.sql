{#
    Fails with the rows whose `column_name` is not a school year written YYYY-YY (e.g. 2024-25).
    Another spelling would silently drop the rows from the year they belong to. NULLs pass.
#}
{% test valid_school_year(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} is not null
    and not (
        length({{ column_name }}) = 7
        and substring({{ column_name }}, 5, 1) = '-'
        and cast(substring({{ column_name }}, 6, 2) as integer)
        = mod(cast(substring({{ column_name }}, 1, 4) as integer) + 1, 100)
    )
{% endtest %}
