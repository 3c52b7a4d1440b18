select rubric, sum(weight) as total
from {{ ref('rubric_weights') }}
group by rubric
having sum(weight) <> 100
