{#
    Fails (one row with both counts) when the model's row count differs from the number of rows
    of `compare_model` (optionally filtered by `compare_where`).

    Arguments:
        compare_model: a ref or source.
        compare_where: optional SQL filter on compare_model.
#}
{% test row_count_matches(model, compare_model, compare_where=none) %}
with model_rows as (
    select count(*) as model_row_count from {{ model }}
),

compare_rows as (
    select count(*) as compare_row_count
    from {{ compare_model }}
    {%- if compare_where %}
    where {{ compare_where }}
    {%- endif %}
)

select *
from model_rows
cross join compare_rows
where model_row_count <> compare_row_count
{% endtest %}
