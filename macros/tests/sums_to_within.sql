{#
    Fails with each group whose sum of `column_name` differs from `expected` by more than
    `tolerance`, or that holds a NULL.

    Arguments:
        group_by_columns: list of columns defining the groups.
        expected: the expected sum (default 1).
        tolerance: allowed absolute difference (default 1e-9).
#}
{% test sums_to_within(model, column_name, group_by_columns, expected=1, tolerance=1e-9) %}
{%- set groups_csv = group_by_columns | join(', ') -%}
select
    {{ groups_csv }},
    sum({{ column_name }}) as actual_sum,
    count(*) - count({{ column_name }}) as null_values
from {{ model }}
group by {{ groups_csv }}
having
    abs(sum({{ column_name }}) - {{ expected }}) > {{ tolerance }}
    or count(*) <> count({{ column_name }})
{% endtest %}
