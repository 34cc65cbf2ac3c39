//! The division crosswalk: which DeSO 2018 became which DeSO 2025, and which RegSO 2020 became
//! which RegSO 2025, derived from the two DeSO → RegSO mappings and SCB's DeSO change log.
//!
//! DeSO step. A DeSO 2018 code that the log never names as a *from* code and that exists in
//! 2025 maps to itself; a logged code maps to every DeSO 2025 the log names as its *to* code
//! (the same code before and after means the area lives on with a changed boundary). Log rows
//! whose *from* code is no DeSO 2018 (SCB's 2018-02-21 corrections, which predate the 2018
//! version) yield no pair.
//!
//! RegSO step. RegSO 2020 `r` maps to RegSO 2025 `r'` when a DeSO of `r` maps into a DeSO of
//! `r'`; `deso_shared` counts those DeSO of `r`.
//!
//! Each pair gets exactly one relation, tried in this order:
//! 1. `split`: the *from* area maps to more than one area (`from_targets > 1`);
//! 2. `merged`: more than one area maps into the *to* area (`to_sources > 1`);
//! 3. `recoded`: one to one, under another code;
//! 4. `unchanged`: one to one, same code, and no boundary change but extension to the
//!    territorial-water limit. For RegSO this is exactly the rule that gives RegSO 2020 their
//!    RegSO 2025 polygon ([`unchanged_regso`]): the same member DeSO, none of them in the log
//!    with any other type of change. For DeSO: not named in the log (as *from* or *to*) with any
//!    other type of change;
//! 5. `boundary_changed`: one to one, same code, but members or boundaries differ.
//!
//! A pair that is part of both a split and a merge (many to many) is `split`; its
//! `to_sources` shows the merge.

use std::collections::{BTreeMap, BTreeSet};

use super::geography::Division;
use super::geometry_source::{unchanged_regso, Change, TERRITORIAL_WATER_EXTENSION};
use crate::convert::usize_from_u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    Unchanged,
    BoundaryChanged,
    Split,
    Merged,
    Recoded,
}

impl Relation {
    pub const ALL: [Relation; 5] = [
        Relation::Unchanged,
        Relation::BoundaryChanged,
        Relation::Split,
        Relation::Merged,
        Relation::Recoded,
    ];
    /// The names the API and the database use.
    pub const NAMES: &'static [&'static str] = &[
        "unchanged",
        "boundary_changed",
        "split",
        "merged",
        "recoded",
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Unchanged => "unchanged",
            Relation::BoundaryChanged => "boundary_changed",
            Relation::Split => "split",
            Relation::Merged => "merged",
            Relation::Recoded => "recoded",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// One pair of the crosswalk, with the counts that explain its relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub from_division: Division,
    pub from_code: String,
    pub to_division: Division,
    pub to_code: String,
    pub relation: Relation,
    /// How many areas the *from* area maps to.
    pub from_targets: u32,
    /// How many areas map into the *to* area.
    pub to_sources: u32,
    /// RegSO only: the DeSO 2018 of the *from* RegSO that map into the *to* RegSO.
    pub deso_shared: Option<u32>,
    /// RegSO only: DeSO in the *from* RegSO (2018) and in the *to* RegSO (2025).
    pub from_deso: Option<u32>,
    pub to_deso: Option<u32>,
}

type Members = BTreeMap<String, BTreeSet<String>>;

fn relation(
    from: &str,
    to: &str,
    from_targets: usize,
    to_sources: usize,
    unchanged: bool,
) -> Relation {
    if from_targets > 1 {
        Relation::Split
    } else if to_sources > 1 {
        Relation::Merged
    } else if from != to {
        Relation::Recoded
    } else if unchanged {
        Relation::Unchanged
    } else {
        Relation::BoundaryChanged
    }
}

/// Pairs with their relation, from a map of each *from* code to its *to* codes.
fn relate(
    links: &BTreeMap<String, BTreeSet<String>>,
    mut unchanged: impl FnMut(&str) -> bool,
    from_division: Division,
    to_division: Division,
) -> Vec<Pair> {
    let mut sources: BTreeMap<&str, u32> = BTreeMap::new();
    for to in links.values().flatten() {
        *sources.entry(to.as_str()).or_default() += 1;
    }
    let mut pairs = Vec::new();
    for (from, targets) in links {
        for to in targets {
            let to_sources = sources[to.as_str()];
            pairs.push(Pair {
                from_division,
                from_code: from.clone(),
                to_division,
                to_code: to.clone(),
                relation: relation(
                    from,
                    to,
                    targets.len(),
                    usize_from_u32(to_sources),
                    from == to && unchanged(from),
                ),
                from_targets: u32::try_from(targets.len()).unwrap_or(u32::MAX),
                to_sources,
                deso_shared: None,
                from_deso: None,
                to_deso: None,
            });
        }
    }
    pairs
}

/// The crosswalk DeSO 2018 → DeSO 2025 and RegSO 2020 → RegSO 2025 (see the module's rules).
///
/// `members_2020` / `members_2025` map a RegSO code to its DeSO codes in that version;
/// `changes` holds SCB's change log as (from DeSO, to DeSO, type) rows.
pub fn derive(members_2020: &Members, members_2025: &Members, changes: &[Change]) -> Vec<Pair> {
    let regso_2025: BTreeMap<&str, &str> = members_2025
        .iter()
        .flat_map(|(r, ds)| ds.iter().map(move |d| (d.as_str(), r.as_str())))
        .collect();
    let deso_2018: BTreeSet<&str> = members_2020
        .values()
        .flatten()
        .map(String::as_str)
        .collect();
    let mut logged: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (from, to, _) in changes {
        if deso_2018.contains(from.as_str()) && regso_2025.contains_key(to.as_str()) {
            logged.entry(from.as_str()).or_default().insert(to.clone());
        }
    }
    let logged_from: BTreeSet<&str> = changes.iter().map(|(f, _, _)| f.as_str()).collect();
    let deso_links: BTreeMap<String, BTreeSet<String>> = deso_2018
        .iter()
        .filter_map(|d| {
            let targets = if logged_from.contains(d) {
                logged.get(d).cloned().unwrap_or_default()
            } else if regso_2025.contains_key(d) {
                BTreeSet::from([d.to_string()])
            } else {
                BTreeSet::new()
            };
            (!targets.is_empty()).then(|| (d.to_string(), targets))
        })
        .collect();
    // The same set of changed DeSO as the RegSO rule uses.
    let changed: BTreeSet<&str> = changes
        .iter()
        .filter(|(_, _, kind)| kind != TERRITORIAL_WATER_EXTENSION)
        .flat_map(|(from, to, _)| [from.as_str(), to.as_str()])
        .collect();
    let mut pairs = relate(
        &deso_links,
        |d| !changed.contains(d),
        Division::Deso2018,
        Division::Deso2025,
    );

    let unchanged = unchanged_regso(members_2020, members_2025, changes);
    let mut shared: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    let mut regso_links: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (r, deso) in members_2020 {
        for d in deso {
            let into: BTreeSet<&str> = deso_links
                .get(d)
                .into_iter()
                .flatten()
                .filter_map(|t| regso_2025.get(t.as_str()).copied())
                .collect();
            for r2 in into {
                *shared.entry((r.as_str(), r2)).or_default() += 1;
                regso_links
                    .entry(r.clone())
                    .or_default()
                    .insert(r2.to_owned());
            }
        }
    }
    let count = |m: &Members, code: &str| {
        m.get(code)
            .map(|s| u32::try_from(s.len()).unwrap_or(u32::MAX))
    };
    pairs.extend(
        relate(
            &regso_links,
            |r| unchanged.contains(r),
            Division::Regso2020,
            Division::Regso2025,
        )
        .into_iter()
        .map(|mut p| {
            p.deso_shared = shared
                .get(&(p.from_code.as_str(), p.to_code.as_str()))
                .copied();
            p.from_deso = count(members_2020, &p.from_code);
            p.to_deso = count(members_2025, &p.to_code);
            p
        }),
    );
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(list: &[(&str, &[&str])]) -> Members {
        list.iter()
            .map(|(r, d)| (r.to_string(), d.iter().map(|x| x.to_string()).collect()))
            .collect()
    }

    fn change(from: &str, to: &str, kind: &str) -> Change {
        (from.into(), to.into(), kind.into())
    }

    fn find<'a>(pairs: &'a [Pair], from: &str, to: &str) -> &'a Pair {
        pairs
            .iter()
            .find(|p| p.from_code == from && p.to_code == to)
            .unwrap_or_else(|| panic!("no pair {from} → {to} in {pairs:#?}"))
    }

    #[test]
    fn every_relation_from_a_small_log() {
        // R001 keeps A1, A2 (A1 only reaches the territorial-water limit): unchanged.
        // R002: B1 is split into B1 and B2 (new), both in R002 2025: boundary_changed.
        // R003: C1 is recoded to C9: recoded (a RegSO of one DeSO under the same code, whose
        // DeSO changed code, is boundary_changed).
        // R004 and R005 merge into R004: D1 stays, E1 ends into D1.
        // R006 is split: F1 stays in R006, F2 moves to the new R007.
        let m2020 = members(&[
            ("0180R001", &["A1", "A2"]),
            ("0180R002", &["B1"]),
            ("0180R003", &["C1"]),
            ("0180R004", &["D1"]),
            ("0180R005", &["E1"]),
            ("0180R006", &["F1", "F2"]),
        ]);
        let m2025 = members(&[
            ("0180R001", &["A1", "A2"]),
            ("0180R002", &["B1", "B2"]),
            ("0180R003", &["C9"]),
            ("0180R004", &["D1"]),
            ("0180R006", &["F1"]),
            ("0180R007", &["F2"]),
        ]);
        let changes = vec![
            change("A1", "A1", TERRITORIAL_WATER_EXTENSION),
            change(
                "B1",
                "B1",
                "Minskas och ger del till befintlig eller nybildad",
            ),
            change("B1", "B2", "Ger del till nybildad"),
            change("C1", "C9", "Kodändrad; annat än 20-22"),
            change("E1", "D1", "Upphör; till befintlig"),
            // Before the 2018 version: no pair, but D1 counts as changed.
            change("Z0", "D1", "Upphör; till nybildad"),
        ];
        let pairs = derive(&m2020, &m2025, &changes);
        let rel = |from: &str, to: &str| find(&pairs, from, to).relation;

        assert_eq!(rel("A1", "A1"), Relation::Unchanged);
        assert_eq!(rel("A2", "A2"), Relation::Unchanged);
        assert_eq!(rel("B1", "B1"), Relation::Split);
        assert_eq!(rel("B1", "B2"), Relation::Split);
        assert_eq!(rel("C1", "C9"), Relation::Recoded);
        assert_eq!(rel("D1", "D1"), Relation::Merged);
        assert_eq!(rel("E1", "D1"), Relation::Merged);
        assert_eq!(rel("F2", "F2"), Relation::Unchanged);
        assert!(pairs.iter().all(|p| p.from_code != "Z0"));

        assert_eq!(rel("0180R001", "0180R001"), Relation::Unchanged);
        let r002 = find(&pairs, "0180R002", "0180R002");
        assert_eq!(r002.relation, Relation::BoundaryChanged);
        assert_eq!(
            (r002.deso_shared, r002.from_deso, r002.to_deso),
            (Some(1), Some(1), Some(2))
        );
        assert_eq!(rel("0180R003", "0180R003"), Relation::BoundaryChanged);
        assert_eq!(rel("0180R004", "0180R004"), Relation::Merged);
        let merged = find(&pairs, "0180R005", "0180R004");
        assert_eq!(merged.relation, Relation::Merged);
        assert_eq!((merged.from_targets, merged.to_sources), (1, 2));
        assert_eq!(rel("0180R006", "0180R006"), Relation::Split);
        let split = find(&pairs, "0180R006", "0180R007");
        assert_eq!((split.relation, split.from_targets), (Relation::Split, 2));
        assert_eq!(split.deso_shared, Some(1));

        // The unchanged RegSO are exactly those that keep their polygon.
        let unchanged: BTreeSet<String> = pairs
            .iter()
            .filter(|p| p.from_division == Division::Regso2020 && p.relation == Relation::Unchanged)
            .map(|p| p.from_code.clone())
            .collect();
        assert_eq!(unchanged, unchanged_regso(&m2020, &m2025, &changes));
    }

    #[test]
    fn a_regso_renumbered_as_a_whole_is_recoded() {
        let m2020 = members(&[("0180R010", &["A1"])]);
        let m2025 = members(&[("0180R011", &["A1"])]);
        let pairs = derive(&m2020, &m2025, &[]);
        assert_eq!(pairs.len(), 2);
        assert_eq!(find(&pairs, "A1", "A1").relation, Relation::Unchanged);
        assert_eq!(
            find(&pairs, "0180R010", "0180R011").relation,
            Relation::Recoded
        );
    }

    #[test]
    fn relation_names_round_trip() {
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(r));
            assert!(Relation::NAMES.contains(&r.as_str()));
        }
        assert_eq!(Relation::parse("moved"), None);
    }
}
