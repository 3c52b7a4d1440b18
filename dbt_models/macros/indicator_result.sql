{% macro indicator_result(share) -%}
    case
        when {{ share }} is null then 'unknown'
        when {{ share }} >= 1 then 'pass'
        when {{ share }} > 0 then 'partial'
        else 'fail'
    end
{%- endmacro %}
