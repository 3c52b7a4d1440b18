{% test value_between(model, column_name, min_value, max_value) %}
-- rows whose value falls outside [min_value, max_value] (NULLs are left to not_null)
select *
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
