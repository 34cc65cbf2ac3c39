//! Plain polygon geometry: the types the importers read into, WKB in and out (the exchange
//! format with PostGIS and GeoPackage), and the coverage simplification that keeps neighbours
//! meeting.

pub mod coverage;
pub mod locate;
pub mod sweref;
pub mod web_mercator;
pub mod wkb;

/// A closed ring of (x, y); the first point equals the last.
pub type Ring = Vec<[f64; 2]>;
/// Exterior ring first, then holes.
pub type Polygon = Vec<Ring>;
pub type MultiPolygon = Vec<Polygon>;

/// Every coordinate of a geometry.
pub fn points(mp: &MultiPolygon) -> impl Iterator<Item = &[f64; 2]> {
    mp.iter().flatten().flatten()
}

/// Signed area of a ring (positive when counter-clockwise), by the shoelace formula.
pub fn ring_area(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

/// Area of a multipolygon: exteriors minus holes.
pub fn area(mp: &MultiPolygon) -> f64 {
    mp.iter()
        .map(|poly| {
            poly.iter()
                .enumerate()
                .map(|(i, r)| {
                    if i == 0 {
                        ring_area(r).abs()
                    } else {
                        -ring_area(r).abs()
                    }
                })
                .sum::<f64>()
        })
        .sum()
}
