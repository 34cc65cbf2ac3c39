// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "geometry"))]
    pub struct Geometry;
}

diesel::table! {
    area_type_sources (division, code, year, origin) {
        division -> Text,
        code -> Text,
        year -> Int2,
        origin -> Text,
        area_type -> Nullable<Int2>,
        socioeconomic_index -> Nullable<Float8>,
        low_economic_standard -> Nullable<Float8>,
        low_education -> Nullable<Float8>,
        long_term_dependency -> Nullable<Float8>,
        dataset_id -> Nullable<Int4>,
    }
}

diesel::table! {
    area_type_summaries (division, code, year) {
        division -> Text,
        code -> Text,
        year -> Int2,
        regso_division -> Text,
        regso_count -> Int4,
        regso_by_type -> Array<Nullable<Int4>>,
        population -> Nullable<Int8>,
        population_by_type -> Nullable<Array<Nullable<Int8>>>,
        population_share_by_type -> Nullable<Array<Nullable<Float8>>>,
        inequality_index -> Nullable<Float8>,
        area_type_origin -> Nullable<Text>,
        population_untyped -> Nullable<Int8>,
        inequality_method -> Nullable<Text>,
        inequality_source -> Nullable<Text>,
        inequality_areas -> Nullable<Int4>,
    }
}

diesel::table! {
    area_types (division, code, year) {
        division -> Text,
        code -> Text,
        year -> Int2,
        area_type -> Nullable<Int2>,
        area_type_origin -> Nullable<Text>,
        socioeconomic_index -> Nullable<Float8>,
        low_economic_standard -> Nullable<Float8>,
        low_education -> Nullable<Float8>,
        long_term_dependency -> Nullable<Float8>,
        index_origin -> Nullable<Text>,
        rank_in_municipality -> Nullable<Int4>,
        areas_in_municipality -> Nullable<Int4>,
        rank_in_country -> Nullable<Int4>,
        areas_in_country -> Nullable<Int4>,
        percentile_in_country -> Nullable<Float8>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Geometry;

    areas (division, code) {
        division -> Text,
        code -> Text,
        name -> Nullable<Text>,
        county_code -> Nullable<Text>,
        municipality_code -> Nullable<Text>,
        regso_code -> Nullable<Text>,
        geom -> Nullable<Geometry>,
        geometry_source -> Nullable<Text>,
        dataset_id -> Nullable<Int4>,
        geom_simplified -> Nullable<Geometry>,
        geom_coarse -> Nullable<Geometry>,
        label_point -> Nullable<Geometry>,
        area_km2 -> Nullable<Float8>,
        bbox_wgs84 -> Nullable<Array<Nullable<Float8>>>,
        geojson_full -> Nullable<Text>,
        geojson_simplified -> Nullable<Text>,
        geojson_coarse -> Nullable<Text>,
        name_folded -> Nullable<Text>,
    }
}

diesel::table! {
    crosswalk (from_division, from_code, to_division, to_code) {
        from_division -> Text,
        from_code -> Text,
        to_division -> Text,
        to_code -> Text,
        relation -> Text,
        from_targets -> Int4,
        to_sources -> Int4,
        deso_shared -> Nullable<Int4>,
        from_deso -> Nullable<Int4>,
        to_deso -> Nullable<Int4>,
        dataset_id -> Int4,
    }
}

diesel::table! {
    data_state (singleton) {
        singleton -> Bool,
        data_version -> Text,
        synthetic -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    datasets (id) {
        id -> Int4,
        kind -> Text,
        source -> Text,
        checksum -> Text,
        imported_at -> Timestamptz,
        row_counts -> Jsonb,
        synthetic -> Bool,
        licence -> Text,
        attribution -> Text,
    }
}

diesel::table! {
    deso_changes (dataset_id, line) {
        dataset_id -> Int4,
        line -> Int4,
        from_code -> Text,
        to_code -> Text,
        change_type -> Text,
        change_date -> Nullable<Date>,
    }
}

diesel::table! {
    divisions (id) {
        id -> Text,
        level -> Text,
        version -> Nullable<Int2>,
        first_year -> Int2,
        last_year -> Nullable<Int2>,
        label_sv -> Text,
        label_en -> Text,
    }
}

diesel::table! {
    indicator_coverage (indicator, division) {
        indicator -> Text,
        division -> Text,
        years -> Array<Nullable<Int2>>,
        breakdowns -> Array<Nullable<Text>>,
        values_ok -> Int4,
        values_missing -> Int4,
    }
}

diesel::table! {
    indicator_values (indicator, division, code, year, breakdown) {
        indicator -> Text,
        division -> Text,
        code -> Text,
        year -> Int2,
        breakdown -> Text,
        value -> Nullable<Float8>,
        status -> Text,
        dataset_id -> Int4,
    }
}

diesel::table! {
    indicators (id) {
        id -> Text,
        theme -> Text,
        name_sv -> Text,
        name_en -> Text,
        description_sv -> Text,
        description_en -> Text,
        unit -> Text,
        age_band -> Nullable<Text>,
        source_table -> Text,
        decimals -> Int2,
        dataset_id -> Int4,
        contents_code -> Nullable<Text>,
        selection -> Jsonb,
        origin -> Text,
        formula -> Nullable<Text>,
        inputs -> Nullable<Jsonb>,
    }
}

diesel::joinable!(area_type_sources -> datasets (dataset_id));
diesel::joinable!(area_type_summaries -> divisions (regso_division));
diesel::joinable!(areas -> datasets (dataset_id));
diesel::joinable!(areas -> divisions (division));
diesel::joinable!(crosswalk -> datasets (dataset_id));
diesel::joinable!(deso_changes -> datasets (dataset_id));
diesel::joinable!(indicator_coverage -> divisions (division));
diesel::joinable!(indicator_coverage -> indicators (indicator));
diesel::joinable!(indicator_values -> datasets (dataset_id));
diesel::joinable!(indicator_values -> indicators (indicator));
diesel::joinable!(indicators -> datasets (dataset_id));

diesel::allow_tables_to_appear_in_same_query!(
    area_type_sources,
    area_type_summaries,
    area_types,
    areas,
    crosswalk,
    data_state,
    datasets,
    deso_changes,
    divisions,
    indicator_coverage,
    indicator_values,
    indicators,
);
