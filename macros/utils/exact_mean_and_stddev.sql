{#
    Per group: count, mean and sample standard deviation of `value_column`, computed in two passes
    (mean first, then squared deviations) with exact, order-independent sums (see exact_sum). The
    two passes keep the variance accurate for values with a large mean and a small spread, such as
    median incomes.

    Arguments:
        relation: a relation or CTE name.
        group_column: the column to group by.
        value_column: the numeric column; NULLs are ignored.
    Returns columns: <group_column>, value_count, mean_value, stddev_value (NULL for one value).
#}
{% macro exact_mean_and_stddev(relation, group_column, value_column) -%}
    select
        means.{{ group_column }},
        means.value_count,
        means.mean_value,
        sqrt(
            cast({{ exact_sum('(values_.' ~ value_column ~ ' - means.mean_value) * (values_.'
                ~ value_column ~ ' - means.mean_value)') }} as {{ double_precision() }})
            / nullif(means.value_count - 1, 0)
        ) as stddev_value
    from (
        select
            {{ group_column }},
            count({{ value_column }}) as value_count,
            {{ exact_mean(value_column) }} as mean_value
        from {{ relation }}
        where {{ value_column }} is not null
        group by {{ group_column }}
    ) as means
    inner join {{ relation }} as values_
        on means.{{ group_column }} = values_.{{ group_column }}
    where values_.{{ value_column }} is not null
    group by means.{{ group_column }}, means.value_count, means.mean_value
{%- endmacro %}
