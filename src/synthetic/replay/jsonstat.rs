//! The JSON-stat 2.0 documents the replay answers with: a table's metadata (every category, no
//! values) and a dataset restricted to a selection. Objects keep the order SCB writes them in
//! (serde_json's own map would sort the keys), so categories come in the order selected.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::data::ReplayTable;
use crate::convert::i64_saturating;

/// Names the replay in every document: nothing it serves is SCB statistics.
pub const SOURCE: &str = "segstat replay of SCB PxWebApi 2: synthetic values, not SCB statistics";

/// A JSON tree whose objects keep their key order.
pub enum Json {
    Value(Value),
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Value(v) => v.serialize(s),
            Json::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

fn v(value: impl Into<Value>) -> Json {
    Json::Value(value.into())
}

fn obj(entries: Vec<(&str, Json)>) -> Json {
    Json::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// The categories at `positions` of dimension `d` (0 = Region) of a table.
fn dimension(table: &ReplayTable, d: usize, positions: &[usize]) -> Json {
    let codes = &table.dimensions[d].codes;
    let index = positions
        .iter()
        .enumerate()
        .map(|(i, &p)| (codes[p].clone(), v(i)))
        .collect();
    let (label, labels, extra, extension) = if d == 0 {
        let labels: Vec<&str> = positions
            .iter()
            .map(|&p| table.regions[p].label.as_str())
            .collect();
        (
            table.meta.region_label.as_str(),
            labels,
            None,
            &table.meta.region_extension,
        )
    } else {
        let dim = &table.meta.dimensions[d - 1];
        let labels = positions.iter().map(|&p| dim.labels[p].as_str()).collect();
        (
            dim.label.as_str(),
            labels,
            Some(&dim.category_extra),
            &dim.extension,
        )
    };
    let mut category = vec![
        ("index".to_owned(), Json::Object(index)),
        (
            "label".to_owned(),
            Json::Object(
                positions
                    .iter()
                    .zip(labels)
                    .map(|(&p, l)| (codes[p].clone(), v(l)))
                    .collect(),
            ),
        ),
    ];
    for (key, value) in extra.into_iter().flatten() {
        // Per-code maps (`unit`) keep only the codes selected.
        let value = match value.as_object() {
            Some(map) if positions.iter().any(|&p| map.contains_key(&codes[p])) => Json::Object(
                positions
                    .iter()
                    .filter_map(|&p| Some((codes[p].clone(), v(map.get(&codes[p])?.clone()))))
                    .collect(),
            ),
            _ => v(value.clone()),
        };
        category.push((key.clone(), value));
    }
    let mut entries = vec![
        ("label".to_owned(), v(label)),
        ("category".to_owned(), Json::Object(category)),
    ];
    if !extension.is_null() {
        entries.push(("extension".to_owned(), v(extension.clone())));
    }
    Json::Object(entries)
}

fn extension(table: &ReplayTable) -> Json {
    let mut entries: Vec<(String, Json)> = table
        .meta
        .extension
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, value)| (k.clone(), v(value.clone())))
        .collect();
    entries.push(("synthetic".to_owned(), v(true)));
    Json::Object(entries)
}

fn document(table: &ReplayTable, positions: &[Vec<usize>], tail: Vec<(&str, Json)>) -> Json {
    let ids: Vec<&str> = table.dimensions.iter().map(|d| d.id.as_str()).collect();
    let size: Vec<usize> = positions.iter().map(Vec::len).collect();
    let dimensions = positions
        .iter()
        .enumerate()
        .map(|(d, p)| (ids[d].to_owned(), dimension(table, d, p)))
        .collect();
    let mut entries = vec![
        ("version", v("2.0")),
        ("class", v("dataset")),
        ("label", v(table.meta.label.as_str())),
        ("source", v(SOURCE)),
        ("updated", v(table.meta.updated.as_str())),
        ("note", v(table.meta.note.clone())),
        ("role", v(table.meta.role())),
        ("id", v(ids)),
        ("size", v(size)),
        ("dimension", Json::Object(dimensions)),
        ("extension", extension(table)),
    ];
    entries.extend(tail);
    obj(entries)
}

/// `GET /tables/{id}/metadata`: every category, no values.
pub fn metadata(table: &ReplayTable) -> Json {
    let all: Vec<Vec<usize>> = table
        .dimensions
        .iter()
        .map(|d| (0..d.codes.len()).collect())
        .collect();
    document(table, &all, vec![("value", Json::Array(Vec::new()))])
}

/// A dataset of the selected categories; `values` is dense, row-major, last dimension fastest,
/// each with the decimals of its contents code; a missing value is `null` with status `..`.
pub fn dataset(
    table: &ReplayTable,
    positions: &[Vec<usize>],
    values: &[(Option<f64>, u32)],
) -> Json {
    let mut status = Vec::new();
    let numbers = values
        .iter()
        .enumerate()
        .map(|(i, &(value, decimals))| match value {
            None => {
                status.push((i.to_string(), v("..")));
                Json::Value(Value::Null)
            }
            Some(x) if decimals == 0 => v(i64_saturating(x)),
            Some(x) => v(x),
        })
        .collect();
    document(
        table,
        positions,
        vec![
            ("value", Json::Array(numbers)),
            ("status", Json::Object(status)),
        ],
    )
}
