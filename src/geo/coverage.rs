//! Simplification of a coverage: polygons that tile an area without overlaps, such as the
//! RegSO of Sweden. Each polygon simplified on its own would leave gaps and overlaps between
//! neighbours; here every border shared by two areas is found, simplified once, and used by
//! both, so neighbours still meet exactly. No area vanishes: one whose simplified rings all
//! collapse keeps its original geometry.
//!
//! Borders are matched by identical vertices (to the centimetre), which holds for a real
//! coverage such as SCB's layers. Where vertices do not match, each side is simplified alone.

use std::collections::HashMap;

use super::{MultiPolygon, Ring};
use crate::convert::{f64_from_i64, i64_saturating, usize_from_u32};

/// A vertex snapped to the centimetre: how shared vertices are recognised.
type Key = (i64, i64);

fn key(p: [f64; 2]) -> Key {
    (
        i64_saturating((p[0] * 100.0).round()),
        i64_saturating((p[1] * 100.0).round()),
    )
}

fn point(k: Key) -> [f64; 2] {
    [f64_from_i64(k.0) / 100.0, f64_from_i64(k.1) / 100.0]
}

const NONE: u32 = u32::MAX;

/// Who touches a vertex: up to two areas, and whether more do.
#[derive(Clone, Copy)]
struct Touch {
    first: u32,
    second: u32,
    more: bool,
}

impl Touch {
    fn add(&mut self, area: u32) {
        if self.first == area || self.second == area {
            return;
        }
        if self.second == NONE {
            self.second = area;
        } else {
            self.more = true;
        }
    }
}

fn seg_key(a: Key, b: Key) -> (Key, Key) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// A ring's vertices as keys, without the closing point and without repeats.
fn ring_keys(ring: &Ring) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::with_capacity(ring.len());
    for &p in ring {
        let k = key(p);
        if keys.last() != Some(&k) {
            keys.push(k);
        }
    }
    while keys.len() > 1 && keys.first() == keys.last() {
        keys.pop();
    }
    keys
}

/// Perpendicular distance from `p` to the segment `a`–`b`.
fn distance(p: Key, a: Key, b: Key) -> f64 {
    let (p, a, b) = (point(p), point(a), point(b));
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return ((p[0] - a[0]).powi(2) + (p[1] - a[1]).powi(2)).sqrt();
    }
    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0);
    ((p[0] - a[0] - t * dx).powi(2) + (p[1] - a[1] - t * dy).powi(2)).sqrt()
}

/// Douglas–Peucker with fixed end points. A chain that had interior points keeps at least its
/// farthest one, so a ring made of two chains never collapses to a line.
pub fn douglas_peucker(chain: &[Key], tolerance: f64) -> Vec<Key> {
    let n = chain.len();
    if n <= 2 {
        return chain.to_vec();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let mut stack = vec![(0usize, n - 1, true)];
    while let Some((lo, hi, force)) = stack.pop() {
        if hi <= lo + 1 {
            continue;
        }
        let (mut far, mut far_d) = (lo + 1, -1.0);
        for i in lo + 1..hi {
            let d = distance(chain[i], chain[lo], chain[hi]);
            if d > far_d {
                far = i;
                far_d = d;
            }
        }
        if far_d > tolerance || force {
            keep[far] = true;
            stack.push((lo, far, false));
            stack.push((far, hi, false));
        }
    }
    chain
        .iter()
        .zip(keep)
        .filter_map(|(&k, kept)| kept.then_some(k))
        .collect()
}

/// Simplifies every area with `tolerance` (in the coordinates' units), keeping shared borders
/// shared. The output has the input's order and structure, less rings that collapsed.
pub fn simplify_coverage(areas: &[MultiPolygon], tolerance: f64) -> Vec<MultiPolygon> {
    let rings: Vec<Vec<Vec<Vec<Key>>>> = areas
        .iter()
        .map(|mp| {
            mp.iter()
                .map(|poly| poly.iter().map(ring_keys).collect())
                .collect()
        })
        .collect();

    // Which areas touch each vertex, and which areas own each segment.
    let mut touches: HashMap<Key, Touch> = HashMap::new();
    let mut owners: HashMap<(Key, Key), Touch> = HashMap::new();
    for (a, mp) in (0u32..).zip(&rings) {
        for ring in mp.iter().flatten() {
            for (i, &k) in ring.iter().enumerate() {
                touches
                    .entry(k)
                    .or_insert(Touch {
                        first: a,
                        second: NONE,
                        more: false,
                    })
                    .add(a);
                let next = ring[(i + 1) % ring.len()];
                owners
                    .entry(seg_key(k, next))
                    .or_insert(Touch {
                        first: a,
                        second: NONE,
                        more: false,
                    })
                    .add(a);
            }
        }
    }
    let neighbour = |a: u32, s: (Key, Key)| -> u32 {
        match owners.get(&s) {
            Some(t) if t.more => NONE,
            Some(t) if t.first == a => t.second,
            Some(t) => t.first,
            None => NONE,
        }
    };

    let mut cache: HashMap<(Key, Key, Key), Vec<Key>> = HashMap::new();
    let mut simplify_chain = |chain: &[Key]| -> Vec<Key> {
        let n = chain.len();
        let reversed = (chain[n - 1], chain[n - 2]) < (chain[0], chain[1]);
        let canon: Vec<Key> = if reversed {
            chain.iter().rev().copied().collect()
        } else {
            chain.to_vec()
        };
        let id = (canon[0], canon[1], canon[n - 1]);
        let simplified = cache
            .entry(id)
            .or_insert_with(|| {
                if canon[0] == canon[n - 1] {
                    // A closed chain: split at its farthest point so both halves keep shape.
                    let far = (1..n - 1)
                        .max_by(|&i, &j| {
                            distance(canon[i], canon[0], canon[0])
                                .total_cmp(&distance(canon[j], canon[0], canon[0]))
                        })
                        .unwrap_or(1);
                    let mut out = douglas_peucker(&canon[..=far], tolerance);
                    out.pop();
                    out.extend(douglas_peucker(&canon[far..], tolerance));
                    out
                } else {
                    douglas_peucker(&canon, tolerance)
                }
            })
            .clone();
        if reversed {
            simplified.into_iter().rev().collect()
        } else {
            simplified
        }
    };

    rings
        .iter()
        .zip(0u32..)
        .map(|(mp, a)| {
            let out: MultiPolygon = mp
                .iter()
                .filter_map(|poly| {
                    let rings: Vec<Ring> = poly
                        .iter()
                        .filter_map(|ring| {
                            simplify_ring(a, ring, &touches, &neighbour, &mut simplify_chain)
                        })
                        .collect();
                    // A polygon whose exterior collapsed is gone; its holes go with it.
                    let exterior_kept = poly.first().map(|r| r.len() >= 3).unwrap_or(false)
                        && !rings.is_empty()
                        && rings[0].len() >= 4;
                    exterior_kept.then_some(rings)
                })
                .collect();
            if out.is_empty() || super::area(&out) <= 0.0 {
                areas[usize_from_u32(a)].clone()
            } else {
                out
            }
        })
        .collect()
}

fn simplify_ring(
    area: u32,
    ring: &[Key],
    touches: &HashMap<Key, Touch>,
    neighbour: &impl Fn(u32, (Key, Key)) -> u32,
    simplify_chain: &mut impl FnMut(&[Key]) -> Vec<Key>,
) -> Option<Ring> {
    let n = ring.len();
    if n < 3 {
        return None;
    }
    let sig: Vec<u32> = (0..n)
        .map(|i| neighbour(area, seg_key(ring[i], ring[(i + 1) % n])))
        .collect();
    let mut nodes: Vec<usize> = (0..n)
        .filter(|&i| touches[&ring[i]].more || sig[(i + n - 1) % n] != sig[i])
        .collect();
    if nodes.is_empty() {
        // A ring no border splits: anchor it at its smallest and largest vertex, which both
        // sides of a shared ring agree on whatever their direction.
        let min = (0..n).min_by_key(|&i| ring[i]).unwrap_or(0);
        let max = (0..n).max_by_key(|&i| ring[i]).unwrap_or(0);
        nodes = vec![min.min(max), min.max(max)];
        nodes.dedup();
    }
    let mut out: Vec<Key> = Vec::with_capacity(n);
    for (j, &start) in nodes.iter().enumerate() {
        let end = nodes[(j + 1) % nodes.len()];
        let len = if end > start {
            end - start
        } else {
            end + n - start
        };
        let chain: Vec<Key> = (0..=len).map(|o| ring[(start + o) % n]).collect();
        let simplified = simplify_chain(&chain);
        out.extend_from_slice(&simplified[..simplified.len() - 1]);
    }
    if out.len() < 3 {
        return None;
    }
    out.push(out[0]);
    Some(out.into_iter().map(point).collect())
}

#[cfg(test)]
#[allow(
    clippy::as_conversions,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use super::*;
    use crate::geo::{area, Polygon};

    /// A wavy border from (0,0) to (0,100): x wiggles by ±0.4.
    fn wavy() -> Vec<[f64; 2]> {
        (0..=100)
            .map(|y| [if y % 2 == 0 { 0.0 } else { 0.4 }, y as f64])
            .collect()
    }

    /// Two squares sharing the wavy border: left [-50,0]×[0,100], right [0,50]×[0,100].
    fn pair() -> Vec<MultiPolygon> {
        let border = wavy();
        let mut left: Ring = vec![[-50.0, 0.0]];
        left.extend(border.iter().copied());
        left.extend([[-50.0, 100.0], [-50.0, 0.0]]);
        // From (0,100) down the border to (0,0), then around the outer corners.
        let right: Ring = {
            let mut r: Ring = vec![[0.0, 100.0]];
            r.extend(border.iter().rev().skip(1).copied());
            r.extend([[50.0, 0.0], [50.0, 100.0], [0.0, 100.0]]);
            r
        };
        vec![vec![vec![left]], vec![vec![right]]]
    }

    fn keys_of(mp: &MultiPolygon) -> std::collections::HashSet<Key> {
        crate::geo::points(mp).map(|&p| key(p)).collect()
    }

    #[test]
    fn shared_border_is_simplified_once_for_both() {
        let input = pair();
        let out = simplify_coverage(&input, 1.0);
        let before: usize = crate::geo::points(&input[0]).count();
        let after: usize = crate::geo::points(&out[0]).count();
        assert!(after < before / 5, "{after} of {before} points kept");
        // Every vertex on the border (x in [0, 0.4]) of one side is a vertex of the other.
        let (l, r) = (keys_of(&out[0]), keys_of(&out[1]));
        let border_l: Vec<_> = l.iter().filter(|k| k.0 >= 0).collect();
        let border_r: Vec<_> = r.iter().filter(|k| k.0 <= 40).collect();
        assert_eq!(border_l.len(), border_r.len());
        assert!(border_l.iter().all(|k| r.contains(k)));
        // Total area is unchanged: no gap, no overlap between them.
        let total_in = area(&input[0]) + area(&input[1]);
        let total_out = area(&out[0]) + area(&out[1]);
        assert!(
            (total_in - total_out).abs() < 1e-6,
            "{total_in} vs {total_out}"
        );
    }

    #[test]
    fn tiny_areas_do_not_vanish() {
        let speck: Polygon = vec![vec![
            [0.0, 0.0],
            [0.1, 0.0],
            [0.1, 0.1],
            [0.0, 0.1],
            [0.0, 0.0],
        ]];
        let out = simplify_coverage(&[vec![speck.clone()]], 1000.0);
        assert!(area(&out[0]) > 0.0);
    }

    #[test]
    fn island_ring_shared_with_a_hole_stays_shared() {
        // A circle-ish island inside a square with the same ring as its hole, walked the
        // other way round.
        let circle: Ring = (0..=64)
            .map(|i| {
                let t = (i % 64) as f64 / 64.0 * std::f64::consts::TAU;
                [50.0 + 20.0 * t.cos(), 50.0 + 20.0 * t.sin()]
            })
            .collect();
        let outer: Ring = vec![
            [0.0, 0.0],
            [100.0, 0.0],
            [100.0, 100.0],
            [0.0, 100.0],
            [0.0, 0.0],
        ];
        let hole: Ring = circle.iter().rev().copied().collect();
        let input = vec![vec![vec![outer, hole]], vec![vec![circle]]];
        let out = simplify_coverage(&input, 3.0);
        let island = keys_of(&out[1]);
        let hole_keys: std::collections::HashSet<Key> =
            out[0][0][1].iter().map(|&p| key(p)).collect();
        assert_eq!(island, hole_keys);
        assert!(island.len() < 64 && island.len() >= 3);
        let total = area(&out[0]) + area(&out[1]);
        assert!((total - 10_000.0).abs() < 1e-6);
    }

    #[test]
    fn douglas_peucker_keeps_ends_and_far_points() {
        let line: Vec<Key> = vec![(0, 0), (100, 1), (200, 0), (300, 500), (400, 0)];
        assert_eq!(
            douglas_peucker(&line, 2.0),
            vec![(0, 0), (300, 500), (400, 0)]
        );
        // A straight chain keeps one interior point so a two-chain ring cannot collapse.
        let straight: Vec<Key> = vec![(0, 0), (100, 0), (200, 0)];
        assert_eq!(douglas_peucker(&straight, 10.0).len(), 3);
    }
}
