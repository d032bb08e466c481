{#
    Fails with the rows whose `column_name` lies outside [min_value, max_value]. NULLs pass
    (test them with not_null).

    Arguments:
        min_value, max_value: bounds; either may be omitted.
        inclusive: whether the bounds themselves are accepted (default true).
#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
{%- set lower_op = '>=' if inclusive else '>' -%}
{%- set upper_op = '<=' if inclusive else '<' -%}
select *
from {{ model }}
where {{ column_name }} is not null
    and not (
        true
        {%- if min_value is not none %} and {{ column_name }} {{ lower_op }} {{ min_value }}{% endif %}
        {%- if max_value is not none %} and {{ column_name }} {{ upper_op }} {{ max_value }}{% endif %}
    )
{% endtest %}
