{#- The publication status of one body and year from its published rows (alias `p`: reports, timing_known,
    on_time, NULL when the corpus holds no report): one wording for publication_coverage and division_coverage. -#}
{% macro publication_status(p) -%}
    case
        when {{ p }}.reports is null then 'no report in the corpus'
        when not {{ p }}.timing_known then 'published, date unknown'
        when {{ p }}.on_time then 'on time'
        else 'late'
    end
{%- endmacro %}

{#- The aggregates publication_status reads, over the T1 shares of one body's reports of one year. -#}
{% macro publication_timing(share) -%}
    bool_or({{ share }} = 1) as on_time,
        bool_or({{ share }} is not null) as timing_known
{%- endmacro %}
