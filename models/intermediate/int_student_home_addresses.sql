-- Each enrolled student's current address on the snapshot date and moves in the past year.
{%- set snapshot = "cast('" ~ var("snapshot_date") ~ "' as date)" %}
with spells as (
    select
        addresses.*,
        row_number() over (
            partition by addresses.student_id
            order by addresses.address_start_date asc, addresses.census_tract_geoid asc
        ) as spell_number
    from {{ ref('stg_sis__addresses') }} as addresses
    inner join {{ ref('int_students_enrolled') }} as enrolled
        on addresses.student_id = enrolled.student_id
),

current_spells as (
    select
        student_id,
        census_tract_geoid,
        is_public_housing,
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
)

select
    enrolled.student_id,
    moves.student_id is not null as has_address_record,
    current_spells.census_tract_geoid as home_tract_geoid,
    current_spells.is_public_housing,
    moves.residential_moves_past_year
from {{ ref('int_students_enrolled') }} as enrolled
left join moves
    on enrolled.student_id = moves.student_id
left join current_spells
    on enrolled.student_id = current_spells.student_id and current_spells.recency_rank = 1
