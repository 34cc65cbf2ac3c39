//! The replayed tables' metadata, read from SCB's real responses in `data/scb-metadata/`: each
//! `<TABLE>.tail.txt` (every dimension but the Region codes, and the response's `extension`),
//! and where present `<TABLE>.head.txt` (label, updated, notes).

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// What the tail files must be prefixed with to parse (see `data/scb-metadata/README.md`).
const TAIL_PREFIX: &str = r#"{"dimension": {"Region": {"#;

/// The `updated` of tables whose head was not kept.
const UPDATED_UNKNOWN: &str = "2026-01-01T00:00:00Z";

/// One dimension other than Region, in its category order.
#[derive(Clone, Debug)]
pub struct Dimension {
    pub id: String,
    pub label: String,
    pub codes: Vec<String>,
    pub labels: Vec<String>,
    /// Category fields besides `index` and `label` (ContentsCode's `unit`), keyed by code.
    pub category_extra: Map<String, Value>,
    pub extension: Value,
}

impl Dimension {
    pub fn position(&self, code: &str) -> Option<usize> {
        self.codes.iter().position(|c| c == code)
    }

    /// The decimals a ContentsCode category is published with.
    pub fn decimals(&self, code: &str) -> u32 {
        self.category_extra
            .get("unit")
            .and_then(|u| u.get(code))
            .and_then(|u| u.get("decimals"))
            .and_then(Value::as_u64)
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(0)
    }
}

/// A table as SCB describes it, without its Region codes.
#[derive(Clone, Debug)]
pub struct TableMeta {
    pub id: String,
    pub label: String,
    pub updated: String,
    pub note: Vec<String>,
    pub region_label: String,
    /// The Region dimension's `extension`, with its `codelists`.
    pub region_extension: Value,
    pub region_code_lists: Vec<String>,
    /// Every dimension after Region, in the table's order (`px.stub` then `px.heading`).
    pub dimensions: Vec<Dimension>,
    /// The response's `extension` (`px`, `noteMandatory`, …).
    pub extension: Value,
}

fn bad(file: &str, message: impl Into<String>) -> Error {
    Error::Import {
        file: file.to_owned(),
        location: None,
        field: None,
        message: message.into(),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A tail file's text as JSON.
pub fn parse_tail(file: &str, text: &str) -> Result<Value> {
    serde_json::from_str(&format!("{TAIL_PREFIX}{text}"))
        .map_err(|e| bad(file, format!("not JSON after the documented prefix: {e}")))
}

/// The head's fields before the Region dimension: the text up to `, "dimension"`, closed.
pub fn parse_head(file: &str, text: &str) -> Result<Value> {
    let end = text
        .find(r#", "dimension""#)
        .ok_or_else(|| bad(file, "no \"dimension\" key"))?;
    serde_json::from_str(&format!("{}}}", &text[..end])).map_err(|e| {
        bad(
            file,
            format!("the fields before \"dimension\" are not JSON: {e}"),
        )
    })
}

fn dimension(file: &str, id: &str, v: &Value) -> Result<Dimension> {
    let category = v
        .get("category")
        .and_then(Value::as_object)
        .ok_or_else(|| bad(file, format!("dimension {id} has no category")))?;
    let index = category
        .get("index")
        .and_then(Value::as_object)
        .ok_or_else(|| bad(file, format!("dimension {id} has no category index")))?;
    let mut codes = vec![String::new(); index.len()];
    for (code, position) in index {
        let slot = position
            .as_u64()
            .and_then(|p| usize::try_from(p).ok())
            .and_then(|p| codes.get_mut(p))
            .filter(|slot| slot.is_empty())
            .ok_or_else(|| bad(file, format!("dimension {id}: bad index of {code}")))?;
        *slot = code.clone();
    }
    let labels = codes
        .iter()
        .map(|c| {
            category
                .get("label")
                .and_then(|l| l.get(c))
                .and_then(Value::as_str)
                .unwrap_or(c)
                .to_owned()
        })
        .collect();
    let category_extra = category
        .iter()
        .filter(|(k, _)| *k != "index" && *k != "label")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(Dimension {
        id: id.to_owned(),
        label: v
            .get("label")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_owned(),
        codes,
        labels,
        category_extra,
        extension: v.get("extension").cloned().unwrap_or(Value::Null),
    })
}

impl TableMeta {
    /// A table from its tail and, when kept, its head.
    pub fn from_texts(id: &str, tail: &str, head: Option<&str>) -> Result<TableMeta> {
        let file = format!("scb-metadata/{id}.tail.txt");
        let doc = parse_tail(&file, tail)?;
        let dims = doc
            .get("dimension")
            .and_then(Value::as_object)
            .ok_or_else(|| bad(&file, "no dimension object"))?;
        let region = dims.get("Region").ok_or_else(|| bad(&file, "no Region"))?;
        let region_extension = region.get("extension").cloned().unwrap_or(Value::Null);
        let region_code_lists = region_extension
            .get("codelists")
            .and_then(Value::as_array)
            .ok_or_else(|| bad(&file, "Region has no extension.codelists"))?
            .iter()
            .filter_map(|c| c.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let extension = doc.get("extension").cloned().unwrap_or(Value::Null);
        let px = extension.get("px");
        let mut order = strings(px.and_then(|p| p.get("stub")));
        order.extend(strings(px.and_then(|p| p.get("heading"))));
        if order.first().map(String::as_str) != Some("Region")
            || order.len() != dims.len()
            || !order.iter().all(|d| dims.contains_key(d))
        {
            return Err(bad(
                &file,
                "px.stub and px.heading must list every dimension, Region first",
            ));
        }
        let dimensions = order[1..]
            .iter()
            .map(|d| dimension(&file, d, &dims[d]))
            .collect::<Result<Vec<_>>>()?;
        let mut table = TableMeta {
            id: id.to_owned(),
            label: derived_label(&extension, &dimensions),
            updated: UPDATED_UNKNOWN.to_owned(),
            note: Vec::new(),
            region_label: "region".to_owned(),
            region_extension,
            region_code_lists,
            dimensions,
            extension,
        };
        if let Some(head) = head {
            let head = parse_head(&format!("scb-metadata/{id}.head.txt"), head)?;
            if let Some(label) = head.get("label").and_then(Value::as_str) {
                label.clone_into(&mut table.label);
            }
            if let Some(updated) = head.get("updated").and_then(Value::as_str) {
                updated.clone_into(&mut table.updated);
            }
            table.note = strings(head.get("note"));
        }
        Ok(table)
    }

    pub fn read(data_dir: &Path, id: &str) -> Result<TableMeta> {
        let folder = data_dir.join("scb-metadata");
        let tail = std::fs::read_to_string(folder.join(format!("{id}.tail.txt")))
            .map_err(|e| bad(&format!("scb-metadata/{id}.tail.txt"), e.to_string()))?;
        let head = std::fs::read_to_string(folder.join(format!("{id}.head.txt"))).ok();
        TableMeta::from_texts(id, &tail, head.as_deref())
    }

    /// Every table with a tail in `data/scb-metadata/`, by id.
    pub fn read_all(data_dir: &Path) -> Result<Vec<TableMeta>> {
        let folder = data_dir.join("scb-metadata");
        let mut ids: Vec<String> = std::fs::read_dir(&folder)?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".tail.txt"))
                    .map(str::to_owned)
            })
            .collect();
        ids.sort();
        if ids.is_empty() {
            return Err(bad(
                &folder.display().to_string(),
                "no <TABLE>.tail.txt files",
            ));
        }
        ids.iter().map(|id| TableMeta::read(data_dir, id)).collect()
    }

    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }

    /// The `role` of the response: `Tid` is time, `ContentsCode` the metric.
    pub fn role(&self) -> Value {
        serde_json::json!({"time": ["Tid"], "metric": ["ContentsCode"]})
    }
}

/// A title for a table whose head was not kept: `px.contents` by its dimensions and years, as
/// SCB titles its tables.
fn derived_label(extension: &Value, dimensions: &[Dimension]) -> String {
    let contents = extension
        .pointer("/px/contents")
        .and_then(Value::as_str)
        .unwrap_or("Statistics");
    let by: Vec<&str> = std::iter::once("region")
        .chain(
            dimensions
                .iter()
                .filter(|d| d.id != "ContentsCode" && d.id != "Tid")
                .map(|d| d.label.as_str()),
        )
        .collect();
    let years = dimensions
        .iter()
        .find(|d| d.id == "Tid")
        .and_then(|t| Some(format!(". Year {}-{}", t.codes.first()?, t.codes.last()?)))
        .unwrap_or_default();
    let by = match by.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => by.join(""),
    };
    format!("{contents} by {by}{years}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
    }

    #[test]
    fn every_table_reads_with_its_dimensions_in_px_order() {
        let tables = TableMeta::read_all(&data_dir()).unwrap();
        assert_eq!(tables.len(), 14);
        let t = tables.iter().find(|t| t.id == "TAB6574").unwrap();
        let ids: Vec<&str> = t.dimensions.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["Alder", "Kon", "ContentsCode", "Tid"]);
        assert_eq!(t.dimension("Kon").unwrap().codes, ["1", "2", "1+2"]);
        assert_eq!(t.updated, "2026-03-24T07:00:00Z");
        assert!(t.label.starts_with("Population per region by age and sex"));
        let t = tables.iter().find(|t| t.id == "TAB6586").unwrap();
        assert_eq!(t.region_code_lists, ["vs_RegSO2020", "vs_RegSO2025"]);
        let contents = t.dimension("ContentsCode").unwrap();
        assert_eq!(contents.codes[0], "000008IT");
        assert_eq!(contents.decimals("000008IT"), 1);
        assert_eq!(contents.decimals("000008IU"), 0);
        assert!(t.note.iter().any(|n| n.contains("Correction 2026-06-23")));
        let t = tables.iter().find(|t| t.id == "TAB5750").unwrap();
        assert!(t.region_code_lists.is_empty());
        assert_eq!(t.dimension("Bakgrund").unwrap().codes.len(), 25);
        let t = tables.iter().find(|t| t.id == "TAB6065").unwrap();
        assert_eq!(
            t.label,
            "Number of persons by region and type of building. Year 2012-2025"
        );
    }

    #[test]
    fn a_tail_without_px_order_is_refused() {
        let err = TableMeta::from_texts(
            "TABX",
            r#""extension": {"codelists": []}}, "Tid": {"label": "year", "category": {"index": {"2020": 0}}}}, "extension": {"px": {"stub": ["Region"], "heading": []}}}"#,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("px.stub"), "{err}");
    }
}
