-- One row per input file; scoring only ever reads the scored ones.
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
        -- which statutory deadline applies (domain.md §1): governments and unknown bodies 31 March,
        -- departments 31 January from the 2019 regulation on
        case
            when admin_level is null then 'unknown'
            when admin_level = 'department' then 'department'
            else 'government'
        end as body_type
    from source
)

select * from renamed
