// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "geometry"))]
    pub struct Geometry;
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

diesel::joinable!(areas -> datasets (dataset_id));
diesel::joinable!(areas -> divisions (division));

diesel::allow_tables_to_appear_in_same_query!(areas, data_state, datasets, divisions,);
