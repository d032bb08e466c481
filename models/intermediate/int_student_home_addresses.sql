-- Each enrolled student's current address on the snapshot date, moves in the past year, and
-- whether the address gives a usable home tract (neighborhood_status = 'observed') or why not.
{%- set snapshot = "cast('" ~ var("snapshot_date") ~ "' as date)" %}
with spells as (
    select
        addresses.*,
        row_number() over (
            partition by addresses.student_id
            order by addresses.address_start_date asc, addresses.source_row asc
        ) as spell_number
    from {{ ref('stg_sis__addresses') }} as addresses
    inner join {{ ref('int_students_enrolled') }} as enrolled
        on addresses.student_id = enrolled.student_id
),

current_spells as (
    select
        student_id,
        source_row,
        census_tract_geoid,
        is_public_housing,
        address_type,
        row_number() over (
            partition by student_id order by address_start_date desc, spell_number desc
        ) as recency_rank
    from spells
    where address_start_date <= {{ snapshot }}
        and (address_end_date is null or address_end_date >= {{ snapshot }})
),

moves as (
    select
        student_id,
        count(*) as address_spells,
        sum(
            case
                when spell_number > 1
                    and address_start_date > {{ dbt.dateadd(
                        'day', -var('residential_mobility_window_days'), snapshot
                    ) }}
                    and address_start_date <= {{ snapshot }}
                    then 1
                else 0
            end
        ) as residential_moves_past_year
    from spells
    group by student_id
),

-- Addresses whose tract label named another county: the home is outside the city.
other_county as (
    select distinct source_row
    from {{ source('load', 'value_notes') }}
    where file_name = 'addresses' and column_name = 'census_tract_geoid' and note = 'tract_in_other_county'
),

city_counties as (
    select distinct substring(tract_geoid, 1, 5) as county_fips
    from {{ ref('stg_census__tracts') }}
),

classified as (
    select
        enrolled.student_id,
        moves.student_id is not null as has_address_record,
        current_spells.census_tract_geoid as address_tract_geoid,
        current_spells.is_public_housing,
        moves.residential_moves_past_year,
        case
            when moves.student_id is null then 'no_address_record'
            when current_spells.student_id is null then 'no_current_address'
            when current_spells.address_type = 'shelter' then 'shelter'
            when current_spells.address_type = 'po_box' then 'po_box'
            when other_county.source_row is not null then 'outside_city'
            when current_spells.census_tract_geoid is null then 'ungeocoded'
            -- A tract of a county the city's tracts are in, but not in the tract table (a
            -- neighbouring town, or a tract row that was quarantined): not called outside.
            when tracts.tract_geoid is null and city_counties.county_fips is not null
                then 'tract_not_in_reference'
            when tracts.tract_geoid is null then 'outside_city'
            when exclusions.tract_geoid is not null then 'tract_excluded'
            else 'observed'
        end as neighborhood_status
    from {{ ref('int_students_enrolled') }} as enrolled
    left join moves
        on enrolled.student_id = moves.student_id
    left join current_spells
        on enrolled.student_id = current_spells.student_id and current_spells.recency_rank = 1
    left join other_county
        on current_spells.source_row = other_county.source_row
    left join {{ ref('stg_census__tracts') }} as tracts
        on current_spells.census_tract_geoid = tracts.tract_geoid
    left join {{ ref('int_tract_exclusions') }} as exclusions
        on current_spells.census_tract_geoid = exclusions.tract_geoid
    left join city_counties
        on substring(current_spells.census_tract_geoid, 1, 5) = city_counties.county_fips
)

select
    student_id,
    has_address_record,
    address_tract_geoid,
    -- The tract whose neighborhood indicators describe the student; NULL unless observed.
    case when neighborhood_status = 'observed' then address_tract_geoid end as home_tract_geoid,
    neighborhood_status,
    is_public_housing,
    residential_moves_past_year
from classified
