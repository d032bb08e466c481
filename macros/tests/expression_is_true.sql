{#
    Fails with the rows for which `expression` is not true (false or NULL).

    Arguments:
        expression: a boolean SQL expression over the model's columns.
        column_name: set by dbt when the test is attached to a column; the expression is used
            as written either way.
    Use dbt's `where` config to check a subset of rows.
#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
