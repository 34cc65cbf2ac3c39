//! SCB's export of the official area type (områdestyp) per RegSO and year: rows labelled
//! `Kommunnamn (RegSO-namn)`, joined to codes through the mapping export's labels.

use std::collections::{HashMap, HashSet};

use super::{csv, Source};
use crate::error::Error;

#[derive(Clone, Debug, PartialEq)]
pub struct OfficialType {
    pub code: String,
    pub year: i16,
    pub area_type: i16,
}

pub fn read_official(
    src: &Source,
    labels: &HashMap<String, String>,
) -> Result<Vec<OfficialType>, Error> {
    let table = csv::read(src)?;
    if table.header.len() != 2 {
        return Err(src.error(Some(1), None, "expected two columns: the area and one year"));
    }
    let year: i16 = table.header[1]
        .parse()
        .ok()
        .filter(|y| (2011..=2100).contains(y))
        .ok_or_else(|| {
            src.error(
                Some(1),
                Some("year"),
                format!("{:?} is not a year", table.header[1]),
            )
        })?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (line, cells) in &table.rows {
        let label = cells[0].trim();
        let code = labels.get(label).ok_or_else(|| {
            src.error(
                Some(*line),
                Some("Område"),
                format!("{label:?} is not a RegSO of the DeSO→RegSO mapping"),
            )
        })?;
        if !seen.insert(code.clone()) {
            return Err(src.error(
                Some(*line),
                Some("Område"),
                format!("{label:?} ({code}) appears twice"),
            ));
        }
        let raw = cells[1].trim();
        let area_type: i16 = raw
            .parse()
            .ok()
            .filter(|t| (1..=5).contains(t))
            .ok_or_else(|| {
                src.error(
                    Some(*line),
                    Some(&table.header[1]),
                    format!("{raw:?} is not an area type 1–5"),
                )
            })?;
        out.push(OfficialType {
            code: code.clone(),
            year,
            area_type,
        });
    }
    if out.is_empty() {
        return Err(src.error(None, None, "no data rows"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> HashMap<String, String> {
        [("Stockholm (Husby)".to_owned(), "0180R036".to_owned())].into()
    }

    fn read(text: &str) -> Result<Vec<OfficialType>, Error> {
        read_official(
            &Source::from_bytes("typ.csv", text.as_bytes().to_vec()),
            &labels(),
        )
    }

    #[test]
    fn reads_and_joins_labels() {
        let rows = read("\u{feff},2022\r\nStockholm (Husby),1\r\n,\r\nKälla: SCB,\r\n").unwrap();
        assert_eq!(
            rows,
            vec![OfficialType {
                code: "0180R036".into(),
                year: 2022,
                area_type: 1
            }]
        );
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let unknown = read(",2022\r\nStockholm (Husbyy),1\r\n")
            .unwrap_err()
            .to_string();
        assert!(unknown.starts_with("typ.csv:2: Område:"), "{unknown}");
        let range = read(",2022\r\nStockholm (Husby),6\r\n")
            .unwrap_err()
            .to_string();
        assert!(range.starts_with("typ.csv:2: 2022:"), "{range}");
        let twice = read(",2022\nStockholm (Husby),1\nStockholm (Husby),2\n")
            .unwrap_err()
            .to_string();
        assert!(twice.contains(":3:"), "{twice}");
        assert!(read("x,year\nStockholm (Husby),1\n").is_err());
    }
}
