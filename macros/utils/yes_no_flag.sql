{#
    An SIS Y/N flag as boolean; anything else (empty, unknown codes) is NULL.

    Arguments:
        column: a text column holding Y or N.
#}
{% macro yes_no_flag(column) -%}
    case upper(trim({{ column }}))
        when 'Y' then true
        when 'N' then false
    end
{%- endmacro %}
