-- One row per input file, with the rubric and deadline rule that apply to it.
with source as (
    select * from {{ source('pipeline', 'reports') }}
),

renamed as (
    select
        doc_id,
        source_path,
        title,
        agency_name,
        agency_key,
        admin_level,
        jurisdiction_level,
        report_year,
        publish_date,
        written_date,
        template,
        status,
        status_reason,
        warning_count,
        blocking_count,
        -- the body type decides the deadline from 2019 on (art. 49); unknown stays unknown (never defaulted)
        case
            when admin_level is null then 'unknown'
            when admin_level = 'department' then 'department'
            else 'government'
        end as body_type,
        -- template rubric for report years from 2019 (or a template report of unknown year)
        case
            when report_year >= {{ var('first_template_year') }} then 'template'
            when report_year is null and template in ('2019', '2021') then 'template'
            else 'legacy'
        end as rubric
    from source
)

select * from renamed
