//! Changes of area type between two years: the direction of a change and the counts over a set
//! of areas. A higher area type means better socio-economic conditions (5 = very good), while
//! a higher index means worse ones.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The area type number rises (e.g. 2 → 3): better conditions.
    Improved,
    /// The area type number falls (e.g. 3 → 2).
    Worsened,
    Unchanged,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Improved => "improved",
            Direction::Worsened => "worsened",
            Direction::Unchanged => "unchanged",
        }
    }
}

/// The direction from one year's area type to another's, when both are known.
pub fn direction(from: Option<i16>, to: Option<i16>) -> Option<Direction> {
    let (from, to) = (from?, to?);
    Some(match to.cmp(&from) {
        std::cmp::Ordering::Greater => Direction::Improved,
        std::cmp::Ordering::Less => Direction::Worsened,
        std::cmp::Ordering::Equal => Direction::Unchanged,
    })
}

/// `to − from` when both are known.
pub fn difference<T: std::ops::Sub<Output = T>>(from: Option<T>, to: Option<T>) -> Option<T> {
    Some(to? - from?)
}

/// Which changes a client asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    Improved,
    Worsened,
    Any,
}

impl Wanted {
    pub const NAMES: &'static [&'static str] = &["improved", "worsened", "any"];

    pub fn parse(s: &str) -> Option<Wanted> {
        match s {
            "improved" => Some(Wanted::Improved),
            "worsened" => Some(Wanted::Worsened),
            "any" => Some(Wanted::Any),
            _ => None,
        }
    }

    /// Only changed areas are listed: `any` means improved or worsened, never unchanged.
    pub fn admits(self, d: Direction) -> bool {
        matches!(
            (self, d),
            (Wanted::Improved, Direction::Improved)
                | (Wanted::Worsened, Direction::Worsened)
                | (Wanted::Any, Direction::Improved | Direction::Worsened)
        )
    }
}

/// The counts over every area of the first year (with a type) in the filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Areas with a type in both years, paired.
    pub compared: u32,
    pub improved: u32,
    pub worsened: u32,
    pub unchanged: u32,
    /// Areas with a type in the first year that have no paired type in the second.
    pub not_comparable: u32,
}

/// Counts the directions of `pairs`: each is an area's type in the first year and, when it
/// could be paired, in the second.
pub fn count(pairs: impl IntoIterator<Item = (Option<i16>, Option<i16>)>) -> Counts {
    let mut c = Counts::default();
    for (from, to) in pairs {
        if from.is_none() {
            continue;
        }
        match direction(from, to) {
            None => c.not_comparable += 1,
            Some(d) => {
                c.compared += 1;
                match d {
                    Direction::Improved => c.improved += 1,
                    Direction::Worsened => c.worsened += 1,
                    Direction::Unchanged => c.unchanged += 1,
                }
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rising_type_number_is_an_improvement() {
        assert_eq!(direction(Some(2), Some(3)), Some(Direction::Improved));
        assert_eq!(direction(Some(3), Some(1)), Some(Direction::Worsened));
        assert_eq!(direction(Some(4), Some(4)), Some(Direction::Unchanged));
        assert_eq!(direction(None, Some(4)), None);
        assert_eq!(direction(Some(4), None), None);
    }

    #[test]
    fn differences_need_both_values() {
        assert_eq!(difference(Some(2i16), Some(5)), Some(3));
        assert_eq!(difference(Some(20.5), Some(18.0)), Some(-2.5));
        assert_eq!(difference::<f64>(None, Some(1.0)), None);
    }

    #[test]
    fn any_lists_only_changes() {
        assert!(Wanted::Any.admits(Direction::Improved));
        assert!(Wanted::Any.admits(Direction::Worsened));
        assert!(!Wanted::Any.admits(Direction::Unchanged));
        assert!(Wanted::Improved.admits(Direction::Improved));
        assert!(!Wanted::Improved.admits(Direction::Worsened));
        assert!(!Wanted::Worsened.admits(Direction::Improved));
        assert_eq!(Wanted::parse("better"), None);
    }

    #[test]
    fn counts_over_the_first_years_typed_areas() {
        let c = count([
            (Some(2), Some(3)),
            (Some(3), Some(2)),
            (Some(3), Some(3)),
            (Some(4), None),
            (None, Some(4)),
        ]);
        assert_eq!(
            c,
            Counts {
                compared: 3,
                improved: 1,
                worsened: 1,
                unchanged: 1,
                not_comparable: 1
            }
        );
    }
}
