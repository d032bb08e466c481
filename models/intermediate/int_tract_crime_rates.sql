-- Counted offense records per Boston tract and the rate per 1,000 residents. The crime sample
-- covers 2023-01-01 to 2023-03-14 only; rates are for that period.
with counted_records as (
    select
        records.tract_geoid,
        sum(records.offense_records) as counted_offense_records
    from {{ ref('stg_bpd__offense_records_by_tract') }} as records
    inner join {{ ref('stg_bpd__offense_codes') }} as codes
        on records.offense_code = codes.offense_code
    inner join {{ ref('crime_offense_groups') }} as offense_groups
        on codes.offense_group = offense_groups.offense_group
    where records.placement_status = 'placed_in_tract'
        and offense_groups.counts_toward_safety
    group by records.tract_geoid
)

select
    tracts.tract_geoid,
    tracts.acs_total_population,
    coalesce(counted_records.counted_offense_records, 0) as counted_offense_records,
    -- Excluded tracts (almost no residents) would get huge, meaningless rates, or divide by zero.
    case
        when exclusions.tract_geoid is null
            then cast(1000 * coalesce(counted_records.counted_offense_records, 0) as {{ double_precision() }})
                / tracts.acs_total_population
    end as crime_rate_per_1000
from {{ ref('stg_census__tracts') }} as tracts
left join counted_records
    on tracts.tract_geoid = counted_records.tract_geoid
left join {{ ref('int_tract_exclusions') }} as exclusions
    on tracts.tract_geoid = exclusions.tract_geoid
