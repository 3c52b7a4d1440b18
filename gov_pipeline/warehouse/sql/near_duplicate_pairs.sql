-- The pairs of reports near_duplicates.group_copies joins into copies of one report. Candidates: annual
-- reports no stage gave up on (a report in document_failures must never be kept as the primary over a
-- readable copy), with their sketch (report_sketches), facts found and blocking violations. Two are
-- compared only when they share an anchor held by at most $max_bucket reports, and are one report when
-- their years do not differ and the shorter one's sentences are in the other (containment, estimated on
-- the hashes below both sketches' largest) and their number triples agree (Jaccard): at least
-- $same_text / $same_numbers, or $other_text / $other_numbers when they name different agencies.
with candidates as (
    select
        c.doc_id,
        d.source_path,
        c.report_year,
        c.agency_key,
        s.sentence_hashes,
        s.anchor_hashes,
        s.number_hashes,
        coalesce(f.n, 0) as fact_count,
        coalesce(v.n, 0) as blocking_count
    from cleaned_documents as c
    inner join raw_documents as d on d.doc_id = c.doc_id and d.duplicate_of is null
    inner join report_sketches as s on s.doc_id = c.doc_id
    left join (select doc_id, count(*) as n from report_facts group by doc_id) as f on f.doc_id = c.doc_id
    left join (
        select doc_id, count(*) as n from dq_violations where severity = 'blocking' group by doc_id
    ) as v on v.doc_id = c.doc_id
    where
        c.is_annual_report
        and not exists (select 1 from document_failures as x where x.doc_id = c.doc_id)
),

anchors as (
    select doc_id, unnest(anchor_hashes) as anchor from candidates
),

shared as (
    select anchor from anchors group by anchor having count(*) between 2 and $max_bucket
),

pairs as (
    select distinct a.doc_id as first_id, b.doc_id as second_id
    from anchors as a
    inner join anchors as b on a.anchor = b.anchor and a.doc_id < b.doc_id
    where a.anchor in (select shared.anchor from shared)
),

measured as (
    select
        p.first_id,
        p.second_id,
        x.agency_key is not null and y.agency_key is not null and x.agency_key <> y.agency_key as other_agency,
        least(list_max(x.sentence_hashes), list_max(y.sentence_hashes)) as sentence_limit,
        x.sentence_hashes as first_sentences,
        y.sentence_hashes as second_sentences,
        case
            when len(x.number_hashes) = 0 or len(y.number_hashes) = 0 then 0.0
            else len(list_intersect(x.number_hashes, y.number_hashes))::double
                / (len(x.number_hashes) + len(y.number_hashes) - len(list_intersect(x.number_hashes, y.number_hashes)))
        end as number_similarity
    from pairs as p
    inner join candidates as x on x.doc_id = p.first_id
    inner join candidates as y on y.doc_id = p.second_id
    where x.report_year is null or y.report_year is null or x.report_year = y.report_year
),

contained as (
    select
        first_id,
        second_id,
        other_agency,
        number_similarity,
        list_filter(first_sentences, lambda h: h <= sentence_limit) as first_below,
        list_filter(second_sentences, lambda h: h <= sentence_limit) as second_below
    from measured
),

scored as (
    select
        first_id,
        second_id,
        other_agency,
        number_similarity,
        case
            when len(first_below) = 0 or len(second_below) = 0 then 0.0
            else len(list_intersect(first_below, second_below))::double / least(len(first_below), len(second_below))
        end as sentence_containment
    from contained
)

select
    s.sentence_containment,
    s.number_similarity,
    x.doc_id as first_doc_id,
    x.source_path as first_source_path,
    x.fact_count as first_fact_count,
    x.blocking_count as first_blocking_count,
    y.doc_id as second_doc_id,
    y.source_path as second_source_path,
    y.fact_count as second_fact_count,
    y.blocking_count as second_blocking_count
from scored as s
inner join candidates as x on x.doc_id = s.first_id
inner join candidates as y on y.doc_id = s.second_id
where
    case
        when s.other_agency then s.sentence_containment >= $other_text and s.number_similarity >= $other_numbers
        else s.sentence_containment >= $same_text and s.number_similarity >= $same_numbers
    end
order by x.doc_id, y.doc_id
