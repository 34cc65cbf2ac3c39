//! What a data request selects, as PxWebApi 2 takes it: `valueCodes[Dim]=a,b` in the query of a
//! GET (any case, brackets percent-encoded or not), or `{"selection":[{"variableCode":…,
//! "valueCodes":[…]}]}` in a POST body; and its resolution against a table: every dimension
//! selected, `*` for all codes, unknown codes refused by name.

use std::collections::HashMap;

use crate::convert::u64_from_usize;
use percent_encoding::percent_decode_str;
use serde::Deserialize;

/// The query parameters of a data or metadata request.
#[derive(Debug, Default, PartialEq)]
pub struct QueryParams {
    pub lang: Option<String>,
    pub output_format: Option<String>,
    /// (dimension, codes) in the order given.
    pub selection: Vec<(String, Vec<String>)>,
}

fn decode(s: &str) -> String {
    // A `+` stays a plus: SCB's codes hold it (`1+2`, `3+4`) and none holds a space.
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Parses a raw query string.
pub fn parse_query(query: &str) -> QueryParams {
    let mut params = QueryParams::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (decode(key), decode(value));
        let lower = key.to_ascii_lowercase();
        if lower == "lang" {
            params.lang = Some(value);
        } else if lower == "outputformat" {
            params.output_format = Some(value);
        } else if let Some(dim) = lower
            .strip_prefix("valuecodes[")
            .and_then(|_| key.get("valueCodes[".len()..))
            .and_then(|rest| rest.strip_suffix(']'))
        {
            let codes = value
                .split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty());
            match params.selection.iter_mut().find(|(d, _)| d == dim) {
                Some((_, existing)) => existing.extend(codes),
                None => params.selection.push((dim.to_owned(), codes.collect())),
            }
        }
        // Other parameters (codelist[…], outputValues[…], …) do not change what is replayed.
    }
    params
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariableSelection {
    variable_code: String,
    #[serde(default)]
    value_codes: Vec<String>,
}

#[derive(Deserialize)]
struct SelectionBody {
    selection: Vec<VariableSelection>,
}

/// Parses a POST body's selection.
pub fn parse_body(body: &[u8]) -> Result<Vec<(String, Vec<String>)>, String> {
    let body: SelectionBody = serde_json::from_slice(body)
        .map_err(|e| format!("the body is not a PxWebApi 2 selection: {e}"))?;
    Ok(body
        .selection
        .into_iter()
        .map(|v| (v.variable_code, v.value_codes))
        .collect())
}

/// One dimension's codes and where each sits.
#[derive(Clone, Debug)]
pub struct DimensionCodes {
    pub id: String,
    pub codes: Vec<String>,
    positions: HashMap<String, usize>,
}

impl DimensionCodes {
    pub fn new(id: &str, codes: Vec<String>) -> DimensionCodes {
        let positions = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        DimensionCodes {
            id: id.to_owned(),
            codes,
            positions,
        }
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.positions.get(code).copied()
    }
}

/// `*` matches any run of characters, as in PxWebApi 2's `valueCodes`.
fn matches(pattern: &str, code: &str) -> bool {
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = code.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    for (i, piece) in pieces.iter().enumerate() {
        if i == pieces.len() - 1 {
            return rest.ends_with(piece);
        }
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// The selected positions of every dimension, in the table's order; codes in the order asked,
/// each once. Refuses a dimension left out, a dimension the table lacks, and unknown codes.
pub fn resolve(
    dimensions: &[DimensionCodes],
    selection: &[(String, Vec<String>)],
) -> Result<Vec<Vec<usize>>, String> {
    for (dim, _) in selection {
        if !dimensions.iter().any(|d| d.id.eq_ignore_ascii_case(dim)) {
            let known: Vec<&str> = dimensions.iter().map(|d| d.id.as_str()).collect();
            return Err(format!(
                "The table has no variable {dim:?}; its variables are {}",
                known.join(", ")
            ));
        }
    }
    let mut resolved = Vec::with_capacity(dimensions.len());
    for dimension in dimensions {
        let codes: Vec<&String> = selection
            .iter()
            .filter(|(d, _)| d.eq_ignore_ascii_case(&dimension.id))
            .flat_map(|(_, codes)| codes)
            .collect();
        if codes.is_empty() {
            return Err(format!(
                "No values selected for the variable {}: every variable must be selected",
                dimension.id
            ));
        }
        let mut positions = Vec::new();
        let mut taken = vec![false; dimension.codes.len()];
        let mut unknown = Vec::new();
        for code in codes {
            let found: Vec<usize> = if code.contains('*') {
                (0..dimension.codes.len())
                    .filter(|&i| matches(code, &dimension.codes[i]))
                    .collect()
            } else {
                dimension.position(code).into_iter().collect()
            };
            if found.is_empty() {
                unknown.push(code.as_str());
            }
            for i in found {
                if !std::mem::replace(&mut taken[i], true) {
                    positions.push(i);
                }
            }
        }
        if !unknown.is_empty() {
            return Err(format!(
                "Unknown values for the variable {}: {}",
                dimension.id,
                unknown.join(", ")
            ));
        }
        resolved.push(positions);
    }
    Ok(resolved)
}

/// The number of cells a selection holds.
pub fn cells(resolved: &[Vec<usize>]) -> u64 {
    resolved
        .iter()
        .fold(1u64, |n, d| n.saturating_mul(u64_from_usize(d.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims() -> Vec<DimensionCodes> {
        vec![
            DimensionCodes::new(
                "Region",
                ["00", "0180", "1480", "0180R001"].map(String::from).into(),
            ),
            DimensionCodes::new("Kon", ["1", "2", "1+2"].map(String::from).into()),
            DimensionCodes::new("Tid", ["2023", "2024"].map(String::from).into()),
        ]
    }

    #[test]
    fn query_takes_value_codes_in_any_case_and_encoding() {
        let q = parse_query(
            "lang=en&outputFormat=json-stat2&valueCodes[Region]=0180,1480&valuecodes%5BKon%5D=1%2B2,1+2&VALUECODES%5bTid%5d=*&codelist[Region]=vs_x",
        );
        assert_eq!(q.lang.as_deref(), Some("en"));
        assert_eq!(q.output_format.as_deref(), Some("json-stat2"));
        assert_eq!(
            q.selection,
            vec![
                (
                    "Region".to_owned(),
                    vec!["0180".to_owned(), "1480".to_owned()]
                ),
                ("Kon".to_owned(), vec!["1+2".to_owned(), "1+2".to_owned()]),
                ("Tid".to_owned(), vec!["*".to_owned()]),
            ]
        );
        let resolved = resolve(&dims(), &q.selection).unwrap();
        assert_eq!(resolved, vec![vec![1, 2], vec![2], vec![0, 1]]);
        assert_eq!(cells(&resolved), 4);
    }

    #[test]
    fn body_selection_keeps_the_order_asked() {
        let sel = parse_body(
            br#"{"selection":[{"variableCode":"Tid","valueCodes":["2024"]},
                {"variableCode":"Region","valueCodes":["1480","00"],"codeList":"vs_x"},
                {"variableCode":"Kon","valueCodes":["2","1"]}],"placement":{}}"#,
        )
        .unwrap();
        assert_eq!(
            resolve(&dims(), &sel).unwrap(),
            vec![vec![2, 0], vec![1, 0], vec![1]]
        );
        assert!(parse_body(b"{\"selection\": 3}").is_err());
    }

    #[test]
    fn wildcards_match_patterns() {
        let sel = vec![
            ("Region".to_owned(), vec!["0180*".to_owned()]),
            ("Kon".to_owned(), vec!["*".to_owned()]),
            ("Tid".to_owned(), vec!["*4".to_owned()]),
        ];
        assert_eq!(
            resolve(&dims(), &sel).unwrap(),
            vec![vec![1, 3], vec![0, 1, 2], vec![1]]
        );
    }

    #[test]
    fn a_missing_dimension_or_unknown_codes_are_named() {
        let missing = vec![
            ("Region".to_owned(), vec!["00".to_owned()]),
            ("Tid".to_owned(), vec!["2023".to_owned()]),
        ];
        let err = resolve(&dims(), &missing).unwrap_err();
        assert!(err.contains("Kon"), "{err}");
        let unknown = vec![
            (
                "Region".to_owned(),
                vec!["00".to_owned(), "9999".to_owned(), "0181".to_owned()],
            ),
            ("Kon".to_owned(), vec!["1".to_owned()]),
            ("Tid".to_owned(), vec!["2023".to_owned()]),
        ];
        let err = resolve(&dims(), &unknown).unwrap_err();
        assert!(
            err.contains("Region") && err.contains("9999, 0181"),
            "{err}"
        );
        let extra = vec![("Alder".to_owned(), vec!["tot".to_owned()])];
        assert!(resolve(&dims(), &extra).unwrap_err().contains("Alder"));
    }
}
