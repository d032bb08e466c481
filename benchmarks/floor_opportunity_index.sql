-- The floor of scripts/benchmark.py: the school Opportunity Index in one hand-written DuckDB query,
-- from the same inputs as `dbt build`: the schema raw (what scripts/load_inputs.py loaded) and the
-- dbt seeds of seeds/config (schema config). It computes what models/ compute for
-- marts.fct_school_opportunity (opportunity_index, opportunity_index_unrounded) and nothing else:
-- no audit, no contributions, no funds, no tests, no intermediate tables. Every aggregate that
-- feeds the index is the models' exact fixed-point sum (decimal(38, 12), macros exact_sum and
-- exact_mean), so the result equals the mart bit for bit; the benchmark checks that it does.
--
-- The placeholders (a dollar sign and a dbt var name in braces) are the vars of dbt_project.yml,
-- filled in by scripts/benchmark.py (string.Template).
with

grade_levels as (
    select grade, grade_order, school_level
    from config.grade_levels
),

-- int_schools_grade_spans: the level holding most of a school's DESE students (ties: lower grades).
school_peer_levels as (
    select school_code, peer_level
    from (
        select
            enrollment.school_code,
            levels.school_level as peer_level,
            row_number() over (
                partition by enrollment.school_code
                order by sum(cast(enrollment.students as integer)) desc, min(levels.grade_order) asc
            ) as level_rank
        from raw.dese_enrollment_by_grade as enrollment
        inner join grade_levels as levels
            on enrollment.grade = levels.grade
        where enrollment.school_year = '${school_year}'
            and cast(enrollment.students as integer) > 0
            and levels.school_level is not null
        group by enrollment.school_code, levels.school_level
    )
    where level_rank = 1
),

-- int_enrollment_spells_on_snapshot, int_students_enrolled.
enrolled as (
    select
        spells.student_id,
        -- An integer key for the long tables below: cheaper to join, group and sort than the id.
        row_number() over (order by spells.student_id) as student_key,
        spells.school_code,
        coalesce(levels.school_level, peers.peer_level) as school_level
    from (
        select
            student_id,
            school_code,
            grade,
            row_number() over (
                partition by student_id order by entry_date desc, school_code asc
            ) as spell_rank
        from raw.enrollments
        where school_year = '${school_year}'
            and entry_date <= cast('${snapshot_date}' as date)
            and (exit_date is null or exit_date > cast('${snapshot_date}' as date))
    ) as spells
    left join grade_levels as levels
        on spells.grade = levels.grade
    left join school_peer_levels as peers
        on spells.school_code = peers.school_code
    where spells.spell_rank = 1
),

-- stg_census__tracts, int_tract_exclusions: tracts with enough residents.
tracts as (
    select
        tract_geoid,
        cast(acs_total_population as integer) as population,
        acs_median_household_income,
        acs_share_adults_less_than_high_school,
        acs_share_adults_bachelors
        + acs_share_adults_masters
        + acs_share_adults_professional
        + acs_share_adults_doctorate as share_adults_with_bachelors_or_more,
        acs_share_families_in_poverty,
        acs_share_foreign_born
    from raw.census_tracts_2010
    where cast(acs_total_population as integer) >= ${min_tract_population}
),

-- int_tract_crime_rates.
crime_counts as (
    select
        records.tract_geoid,
        sum(cast(records.offense_records as integer)) as counted_offense_records
    from raw.bpd_offense_records_by_tract as records
    inner join raw.bpd_offense_codes as codes
        on records.offense_code = codes.offense_code
    inner join config.crime_offense_groups as offense_groups
        on codes.offense_group = offense_groups.offense_group
    where records.placement_status = 'placed_in_tract'
        and offense_groups.counts_toward_safety
    group by records.tract_geoid
),

-- int_tract_disorder_measures.
disorder as (
    select
        substring(block_group_geoid, 1, 11) as tract_geoid,
        cast(sum(cast(private_neglect as decimal(38, 12))) as double) / nullif(count(private_neglect), 0)
            as private_neglect,
        cast(sum(cast(public_denigration as decimal(38, 12))) as double)
        / nullif(count(public_denigration), 0) as public_denigration
    from raw.bari_block_group_disorder
    group by substring(block_group_geoid, 1, 11)
),

active_definitions as (
    select
        indicator_name,
        component_name,
        case need_direction when 'higher_is_more_need' then 1 when 'higher_is_less_need' then -1 end
            as need_sign
    from config.component_definitions
    where is_active
),

-- int_tracts_neighborhood_indicators, long (NULLs left out, as unpivot_indicators does).
tract_values as (
    unpivot (
        select
            tracts.tract_geoid,
            cast(tracts.acs_median_household_income as double) as tract_median_household_income,
            cast(tracts.acs_share_adults_less_than_high_school as double)
                as tract_share_adults_without_high_school,
            cast(tracts.share_adults_with_bachelors_or_more as double)
                as tract_share_adults_with_bachelors_or_more,
            cast(tracts.acs_share_families_in_poverty as double) as tract_share_families_in_poverty,
            cast(tracts.acs_share_foreign_born as double) as tract_share_foreign_born,
            cast(1000 * coalesce(crime_counts.counted_offense_records, 0) as double) / tracts.population
                as tract_crime_rate_per_1000,
            cast(disorder.private_neglect as double) as tract_private_neglect,
            cast(disorder.public_denigration as double) as tract_public_denigration
        from tracts
        left join crime_counts
            on tracts.tract_geoid = crime_counts.tract_geoid
        left join disorder
            on tracts.tract_geoid = disorder.tract_geoid
    )
    on columns(* exclude (tract_geoid))
    into name indicator_name value indicator_value
),

-- int_student_home_addresses: spells of enrolled students, the current one, moves.
address_spells as (
    select
        addresses.student_id,
        addresses.source_row,
        addresses.address_start_date,
        addresses.address_end_date,
        addresses.census_tract_geoid,
        addresses.is_public_housing,
        addresses.address_type,
        row_number() over (
            partition by addresses.student_id
            order by addresses.address_start_date asc, addresses.source_row asc
        ) as spell_number
    from raw.addresses as addresses
    semi join enrolled
        on addresses.student_id = enrolled.student_id
),

current_addresses as (
    select *
    from (
        select
            student_id,
            source_row,
            census_tract_geoid,
            is_public_housing,
            address_type,
            row_number() over (
                partition by student_id order by address_start_date desc, spell_number desc
            ) as recency_rank
        from address_spells
        where address_start_date <= cast('${snapshot_date}' as date)
            and (address_end_date is null or address_end_date >= cast('${snapshot_date}' as date))
    )
    where recency_rank = 1
),

moves as (
    select
        student_id,
        sum(
            case
                when spell_number > 1
                    and address_start_date > (
                        cast('${snapshot_date}' as date)
                        + cast(-${residential_mobility_window_days} as bigint) * interval 1 day
                    )
                    and address_start_date <= cast('${snapshot_date}' as date)
                    then 1
                else 0
            end
        ) as residential_moves_past_year
    from address_spells
    group by student_id
),

other_county as (
    select distinct source_row
    from raw.value_notes
    where file_name = 'addresses' and column_name = 'census_tract_geoid' and note = 'tract_in_other_county'
),

-- The home tract when neighborhood_status would be 'observed': a current address that is not a
-- shelter or PO box, in a tract of the tract table that is not excluded (the join with
-- tract_values below drops the others).
homes as (
    select
        enrolled.student_id,
        enrolled.student_key,
        case
            when coalesce(current_addresses.address_type, '') not in ('shelter', 'po_box')
                and other_county.source_row is null
                then current_addresses.census_tract_geoid
        end as home_tract_geoid,
        current_addresses.is_public_housing,
        moves.residential_moves_past_year
    from enrolled
    left join current_addresses
        on enrolled.student_id = current_addresses.student_id
    left join moves
        on enrolled.student_id = moves.student_id
    left join other_county
        on current_addresses.source_row = other_county.source_row
),

-- int_student_prior_performance.
attendance as (
    select
        student_id,
        sum(cast(days_in_membership as integer)) as days_in_membership,
        sum(cast(days_present as integer)) as days_present
    from raw.attendance
    where school_year = '${prior_school_year}'
    group by student_id
),

suspensions as (
    select
        student_id,
        sum(case when action_code in ('ISS', 'OSS') then 1 else 0 end) as suspensions
    from raw.discipline_incidents
    where school_year = '${prior_school_year}'
    group by student_id
),

course_failures as (
    select
        student_id,
        max(case when course_subject = 'ELA' then case when final_mark = 'F' then 1 else 0 end end)
            as ela_course_failed,
        max(case when course_subject = 'MATH' then case when final_mark = 'F' then 1 else 0 end end)
            as math_course_failed
    from raw.course_marks
    where school_year = '${prior_school_year}'
    group by student_id
),

test_failures as (
    select
        student_id,
        max(case when subject = 'ELA' then case when performance_level = 'NM' then 1 else 0 end end)
            as ela_test_not_meeting,
        max(case when subject = 'MATH' then case when performance_level = 'NM' then 1 else 0 end end)
            as math_test_not_meeting
    from (
        select
            student_id,
            subject,
            performance_level,
            row_number() over (
                partition by student_id, subject order by school_year desc, test_grade desc
            ) as recency_rank
        from raw.assessments
        where school_year < '${school_year}'
    )
    where recency_rank = 1
    group by student_id
),

-- int_student_indicators_wide (student-level columns), long.
student_values as (
    unpivot (
        select
            enrolled.student_key,
            cast(case
                when students.economically_disadvantaged then 1
                when not students.economically_disadvantaged then 0
            end as double) as economically_disadvantaged,
            cast(case
                when homes.is_public_housing then 1
                when not homes.is_public_housing then 0
            end as double) as lives_in_public_housing,
            cast(homes.residential_moves_past_year as double) as residential_moves_past_year,
            cast(case
                when students.country_of_birth = 'USA' then 0
                when students.country_of_birth is not null then 1
            end as double) as foreign_born,
            cast(case
                when students.country_of_birth = 'USA' then 0
                when students.country_of_birth is null or students.us_school_entry_date is null then null
                when students.us_school_entry_date > (
                    cast('${snapshot_date}' as date)
                    + cast(-${recent_immigrant_window_years} as bigint) * interval 1 year
                ) then 1
                else 0
            end as double) as recent_immigrant,
            cast(cast(attendance.days_present as double) / nullif(attendance.days_in_membership, 0) as double)
                as prior_year_attendance_rate,
            cast(case
                when attendance.student_id is not null then coalesce(suspensions.suspensions, 0)
            end as double) as prior_year_suspensions,
            cast(course_failures.ela_course_failed as double) as prior_year_ela_course_failed,
            cast(course_failures.math_course_failed as double) as prior_year_math_course_failed,
            cast(test_failures.ela_test_not_meeting as double) as recent_ela_test_not_meeting,
            cast(test_failures.math_test_not_meeting as double) as recent_math_test_not_meeting
        from enrolled
        left join raw.students as students
            on enrolled.student_id = students.student_id
        left join homes
            on enrolled.student_id = homes.student_id
        left join attendance
            on enrolled.student_id = attendance.student_id
        left join suspensions
            on enrolled.student_id = suspensions.student_id
        left join course_failures
            on enrolled.student_id = course_failures.student_id
        left join test_failures
            on enrolled.student_id = test_failures.student_id
    )
    on columns(* exclude (student_key))
    into name indicator_name value indicator_value
),

-- int_student_indicators_unpivoted restricted to the active indicators, oriented
-- (int_indicator_statistics, score_indicators).
oriented as (
    select
        all_values.student_key,
        all_values.indicator_name,
        definitions.component_name,
        all_values.indicator_value * definitions.need_sign as oriented_value
    from (
        select homes.student_key, tract_values.indicator_name, tract_values.indicator_value
        from homes
        inner join tract_values
            on homes.home_tract_geoid = tract_values.tract_geoid
        union all
        select student_key, indicator_name, indicator_value
        from student_values
    ) as all_values
    inner join active_definitions as definitions
        on all_values.indicator_name = definitions.indicator_name
),

bounds as (
    select
        indicator_name,
        quantile_cont(oriented_value, ${winsorize_lower_quantile}) as lower_bound,
        quantile_cont(oriented_value, ${winsorize_upper_quantile}) as upper_bound
    from oriented
    group by indicator_name
),

winsorized as (
    select
        oriented.student_key,
        oriented.indicator_name,
        oriented.component_name,
        least(greatest(oriented.oriented_value, bounds.lower_bound), bounds.upper_bound) as winsorized_value
    from oriented
    inner join bounds
        on oriented.indicator_name = bounds.indicator_name
),

-- exact_mean_and_stddev: the mean first, then the squared deviations, both summed exactly.
indicator_means as (
    select
        indicator_name,
        count(winsorized_value) as value_count,
        cast(sum(cast(winsorized_value as decimal(38, 12))) as double) / nullif(count(winsorized_value), 0)
            as mean_value
    from winsorized
    where winsorized_value is not null
    group by indicator_name
),

indicator_statistics as (
    select
        means.indicator_name,
        means.mean_value,
        sqrt(
            cast(sum(cast(
                (values_.winsorized_value - means.mean_value) * (values_.winsorized_value - means.mean_value)
                as decimal(38, 12)
            )) as double)
            / nullif(means.value_count - 1, 0)
        ) as stddev_value
    from indicator_means as means
    inner join winsorized as values_
        on means.indicator_name = values_.indicator_name
    where values_.winsorized_value is not null
    group by means.indicator_name, means.value_count, means.mean_value
),

-- score_indicators: standardized with the district statistics (a constant indicator gives 0).
standardized as (
    select
        winsorized.student_key,
        winsorized.component_name,
        case
            when winsorized.winsorized_value is null then null
            when coalesce(stats.stddev_value, 0) > 0
                then (winsorized.winsorized_value - stats.mean_value) / stats.stddev_value
            else 0
        end as standardized_value
    from winsorized
    inner join indicator_statistics as stats
        on winsorized.indicator_name = stats.indicator_name
),

-- int_student_component_raw_scores: mean of the standardized indicators the student has.
component_raw_scores as (
    select
        student_key,
        component_name,
        cast(sum(cast(standardized_value as decimal(38, 12))) as double) / nullif(count(standardized_value), 0)
            as raw_score
    from standardized
    group by student_key, component_name
),

-- int_component_statistics.
component_means as (
    select
        component_name,
        count(raw_score) as value_count,
        cast(sum(cast(raw_score as decimal(38, 12))) as double) / nullif(count(raw_score), 0) as mean_value
    from component_raw_scores
    where raw_score is not null
    group by component_name
),

component_statistics as (
    select
        means.component_name,
        means.mean_value,
        sqrt(
            cast(sum(cast(
                (values_.raw_score - means.mean_value) * (values_.raw_score - means.mean_value)
                as decimal(38, 12)
            )) as double)
            / nullif(means.value_count - 1, 0)
        ) as stddev_value
    from component_means as means
    inner join component_raw_scores as values_
        on means.component_name = values_.component_name
    where values_.raw_score is not null
    group by means.component_name, means.value_count, means.mean_value
),

-- int_student_component_observed_scores.
observed_scores as (
    select
        raw_scores.student_key,
        raw_scores.component_name,
        case
            when raw_scores.raw_score is null then null
            when coalesce(stats.stddev_value, 0) > 0
                then (raw_scores.raw_score - stats.mean_value) / stats.stddev_value
            else 0
        end as component_score
    from component_raw_scores as raw_scores
    inner join component_statistics as stats
        on raw_scores.component_name = stats.component_name
),

-- int_neighborhood_components, int_student_neighborhood_imputations.
neighborhood_components as (
    select component_name
    from active_definitions
    group by component_name
    having min(case when starts_with(indicator_name, 'tract_') then 1 else 0 end) = 1
),

school_means as (
    select
        enrolled.school_code,
        scores.component_name,
        cast(sum(cast(scores.component_score as decimal(38, 12))) as double)
        / nullif(count(scores.component_score), 0) as mean_component_score
    from observed_scores as scores
    inner join neighborhood_components as neighborhood
        on scores.component_name = neighborhood.component_name
    inner join enrolled
        on scores.student_key = enrolled.student_key
    group by enrolled.school_code, scores.component_name
),

-- int_student_component_scores: observed, or imputed for the neighborhood components.
component_scores as (
    select student_key, component_name, component_score
    from observed_scores
    union all
    select
        enrolled.student_key,
        neighborhood.component_name,
        coalesce(school_means.mean_component_score, 0) as component_score
    from enrolled
    cross join neighborhood_components as neighborhood
    anti join observed_scores as scores
        on enrolled.student_key = scores.student_key
            and neighborhood.component_name = scores.component_name
    left join school_means
        on enrolled.school_code = school_means.school_code
            and neighborhood.component_name = school_means.component_name
),

-- int_student_component_weights: the level's weights renormalized over the components present.
weighted as (
    select
        scores.student_key,
        scores.component_score,
        cast(weights.weight as double) as level_weight
    from component_scores as scores
    inner join enrolled
        on scores.student_key = enrolled.student_key
    inner join config.component_weights as weights
        on enrolled.school_level = weights.school_level
            and scores.component_name = weights.component_name
),

applied as (
    select
        weighted.student_key,
        weighted.component_score,
        weighted.level_weight / nullif(
            cast(sum(cast(weighted.level_weight as decimal(38, 12))) over (partition by weighted.student_key)
                as double),
            0
        ) as applied_weight
    from weighted
),

-- int_student_need_scores.
need as (
    select
        student_key,
        cast(sum(cast(applied_weight * component_score as decimal(38, 12))) as double) as need_score
    from applied
    where applied_weight is not null
    group by student_key
),

ranked as (
    select
        enrolled.student_key,
        enrolled.school_code,
        case
            when need.need_score is not null
                then rank() over (
                    partition by case when need.need_score is null then 1 else 0 end
                    order by need.need_score
                )
        end as need_rank,
        count(need.need_score) over () as scored_students
    from enrolled
    left join need
        on enrolled.student_key = need.student_key
),

percentiles as (
    select
        *,
        case
            when need_rank is not null and scored_students > 1
                then cast(need_rank - 1 as double) / (scored_students - 1)
            when need_rank is not null then 0
        end as need_percentile
    from ranked
),

-- fct_school_opportunity.
schools as (
    select
        school_code,
        count(*) as enrolled_students,
        count(need_percentile) as scored_students,
        sum(need_rank - 1) as sum_rank_above_lowest,
        max(scored_students) as district_scored_students,
        cast(sum(cast(need_percentile as decimal(38, 12))) as double) / nullif(count(need_percentile), 0)
            as opportunity_index_unrounded
    from percentiles
    group by school_code
)

select
    school_code,
    cast(enrolled_students as integer) as enrolled_students,
    cast(scored_students as integer) as scored_students,
    cast(least(greatest(
        case
            when district_scored_students > 1 and scored_students > 0
                then cast(cast(
                    ((2 * 100 * cast(sum_rank_above_lowest as bigint)
                        + cast((district_scored_students - 1) * scored_students as bigint))
                    // (2 * cast((district_scored_students - 1) * scored_students as bigint)))
                    as decimal(18, 0)) / 100 as decimal(18, 2))
        end, 0.01), 0.99) as decimal(3, 2)) as opportunity_index,
    opportunity_index_unrounded
from schools
order by school_code
