{#
    The funds of var('funds'), checked before any SQL runs: a parameter of the wrong kind stops
    the build with a message naming the fund and the parameter, never a database syntax error.

    Each fund is a mapping with:
        fund_name: identifier (lower case letters, digits, underscores), unique.
        fund_label: text shown to readers (default: fund_name).
        budget_dollars: whole dollars, > 0.
        min_opportunity_index: eligibility threshold 0.01-0.99 with at most 2 decimals, or null
            (every school is eligible).
        base_dollars_per_pupil: whole dollars >= 0 given per enrolled pupil of every eligible
            school before the need-weighted split (default 0).
    Returns: a list of mappings with every key present.
#}
{% macro validated_funds() %}
    {%- set funds = var('funds') -%}
    {%- if funds is string or funds is mapping or funds is not iterable or funds | length == 0 -%}
        {{ exceptions.raise_compiler_error("var funds: expected a non-empty list of funds, got " ~ funds) }}
    {%- endif -%}
    {%- set checked = [] -%}
    {%- set names = [] -%}
    {%- for fund in funds -%}
        {%- if fund is not mapping -%}
            {{ exceptions.raise_compiler_error("var funds: entry " ~ loop.index ~ " is not a mapping: " ~ fund) }}
        {%- endif -%}
        {%- set name = fund.get('fund_name') -%}
        {%- set where = "var funds: fund " ~ loop.index ~ " (" ~ name ~ ")" -%}
        {%- if name is not string or not modules.re.fullmatch('[a-z][a-z0-9_]*', name) -%}
            {{ exceptions.raise_compiler_error(where ~ ": fund_name must be lower-case letters, digits and underscores") }}
        {%- endif -%}
        {%- if name in names -%}
            {{ exceptions.raise_compiler_error(where ~ ": fund_name appears twice") }}
        {%- endif -%}
        {%- do names.append(name) -%}
        {%- set budget = fund.get('budget_dollars') -%}
        {%- if budget is not integer or budget is sameas true or budget is sameas false or budget <= 0 -%}
            {{ exceptions.raise_compiler_error(where ~ ": budget_dollars must be a whole number of dollars above 0, got " ~ budget) }}
        {%- endif -%}
        {%- set base = fund.get('base_dollars_per_pupil', 0) -%}
        {%- if base is none -%}{%- set base = 0 -%}{%- endif -%}
        {%- if base is not integer or base is sameas true or base is sameas false or base < 0 -%}
            {{ exceptions.raise_compiler_error(where ~ ": base_dollars_per_pupil must be a whole number of dollars, 0 or more, got " ~ base) }}
        {%- endif -%}
        {%- set threshold = fund.get('min_opportunity_index') -%}
        {%- if threshold is not none -%}
            {%- if threshold is not number or threshold is sameas true or threshold is sameas false
                or threshold < 0.01 or threshold > 0.99
                or ((threshold * 100) | round(6)) != ((threshold * 100) | round(0)) -%}
                {{ exceptions.raise_compiler_error(where ~ ": min_opportunity_index must be null or 0.01-0.99 with at most 2 decimals, got " ~ threshold) }}
            {%- endif -%}
        {%- endif -%}
        {%- set label = fund.get('fund_label') or name -%}
        {%- do checked.append({
            'fund_name': name,
            'fund_label': label | string,
            'budget_dollars': budget,
            'min_opportunity_index': threshold,
            'base_dollars_per_pupil': base,
        }) -%}
    {%- endfor -%}
    {{ return(checked) }}
{% endmacro %}
