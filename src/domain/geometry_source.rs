//! Which RegSO 2020 can borrow their RegSO 2025 polygon (DESIGN.md §2). National RegSO 2020
//! polygons are not published in a form we can ship, so they are derived, and each says how.

use std::collections::{BTreeMap, BTreeSet};

/// SCB's change-log type for a DeSO that only grew out to the territorial-water limit, which
/// changes no land boundary.
pub const TERRITORIAL_WATER_EXTENSION: &str = "Utvidgas till territorialvattengräns";

/// One row of SCB's DeSO change log: (from DeSO, to DeSO, type of change).
pub type Change = (String, String, String);

/// RegSO codes whose boundary is unchanged from 2020 to 2025, except for extension to the
/// territorial-water limit: the same DeSO members in both versions, and no member DeSO in the
/// change log with any other type of change.
///
/// `members_2020` / `members_2025` map a RegSO code to its DeSO codes; `changes` holds
/// (from DeSO, to DeSO, type) rows of SCB's log.
pub fn unchanged_regso(
    members_2020: &BTreeMap<String, BTreeSet<String>>,
    members_2025: &BTreeMap<String, BTreeSet<String>>,
    changes: &[Change],
) -> BTreeSet<String> {
    let changed: BTreeSet<&str> = changes
        .iter()
        .filter(|(_, _, kind)| kind != TERRITORIAL_WATER_EXTENSION)
        .flat_map(|(from, to, _)| [from.as_str(), to.as_str()])
        .collect();
    members_2020
        .iter()
        .filter(|(code, deso)| {
            members_2025.get(*code) == Some(deso)
                && deso.iter().all(|d| !changed.contains(d.as_str()))
        })
        .map(|(code, _)| code.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(list: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        list.iter()
            .map(|(r, d)| (r.to_string(), d.iter().map(|x| x.to_string()).collect()))
            .collect()
    }

    #[test]
    fn same_members_and_only_water_extensions_are_unchanged() {
        let m2020 = members(&[
            ("0180R001", &["A1", "A2"]),
            ("0180R002", &["B1"]),
            ("0180R003", &["C1"]),
            ("0180R004", &["D1"]),
        ]);
        let m2025 = members(&[
            ("0180R001", &["A1", "A2"]),
            ("0180R002", &["B1", "B2"]),
            ("0180R003", &["C1"]),
            ("0180R004", &["D1"]),
        ]);
        let changes = vec![
            ("A1".into(), "A1".into(), TERRITORIAL_WATER_EXTENSION.into()),
            (
                "C1".into(),
                "X9".into(),
                "Ger del/delar till befintlig".into(),
            ),
        ];
        let unchanged = unchanged_regso(&m2020, &m2025, &changes);
        assert_eq!(
            unchanged.into_iter().collect::<Vec<_>>(),
            ["0180R001", "0180R004"]
        );
    }
}
