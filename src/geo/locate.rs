//! Which polygons contain a point, answered from memory: the full-resolution polygons of every
//! area, coordinates kept as whole centimetres (half the memory of `f64`; a point less than a
//! centimetre from a border may fall on the other side, which PostGIS would not do), found
//! through a uniform grid of their bounding boxes and tested by the even–odd rule.
//!
//! This is what `/v1/lookup` asks for every request; the data changes only at an import, so
//! keeping the polygons here turns a PostGIS round trip into a few microseconds.

use super::MultiPolygon;
use crate::convert::{i32_saturating, usize_from_u32, usize_saturating};

/// Side of a grid cell, metres: a few RegSO in a city, one in the countryside.
const CELL_M: f64 = 4_000.0;

/// One polygon's rings (exteriors and holes alike), as centimetres, and its bounding box.
struct Shape {
    rings: Vec<Vec<[i32; 2]>>,
    bbox: [f64; 4],
}

/// A set of polygons that can be asked which of them contain a point.
pub struct PointIndex {
    shapes: Vec<Shape>,
    origin: [f64; 2],
    columns: usize,
    rows: usize,
    /// Per grid cell, the shapes whose bounding box meets it.
    cells: Vec<Vec<u32>>,
}

fn to_cm(v: f64) -> i32 {
    i32_saturating((v * 100.0).round())
}

/// Collects polygons one at a time (each kept only in its compact form), then indexes them.
#[derive(Default)]
pub struct Builder {
    shapes: Vec<Shape>,
}

impl Builder {
    /// Adds the next polygon (metres of one projected CRS); `containing` answers with positions
    /// in the order added.
    pub fn add(&mut self, mp: &MultiPolygon) {
        let mut bbox = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in super::points(mp) {
            bbox = [
                bbox[0].min(p[0]),
                bbox[1].min(p[1]),
                bbox[2].max(p[0]),
                bbox[3].max(p[1]),
            ];
        }
        self.shapes.push(Shape {
            rings: mp
                .iter()
                .flatten()
                .map(|ring| ring.iter().map(|p| [to_cm(p[0]), to_cm(p[1])]).collect())
                .collect(),
            bbox,
        });
    }

    pub fn build(self) -> PointIndex {
        PointIndex::from_shapes(self.shapes)
    }
}

impl PointIndex {
    pub fn builder() -> Builder {
        Builder::default()
    }

    #[expect(
        clippy::expect_used,
        reason = "the extent is the union of the shapes' boxes, so each box's corners lie in it"
    )]
    fn from_shapes(shapes: Vec<Shape>) -> PointIndex {
        let mut extent = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for s in shapes.iter().filter(|s| s.bbox[0] <= s.bbox[2]) {
            extent = [
                extent[0].min(s.bbox[0]),
                extent[1].min(s.bbox[1]),
                extent[2].max(s.bbox[2]),
                extent[3].max(s.bbox[3]),
            ];
        }
        if extent[0] > extent[2] {
            extent = [0.0, 0.0, 0.0, 0.0];
        }
        let columns = usize_saturating((extent[2] - extent[0]) / CELL_M) + 1;
        let rows = usize_saturating((extent[3] - extent[1]) / CELL_M) + 1;
        let mut index = PointIndex {
            shapes: Vec::new(),
            origin: [extent[0], extent[1]],
            columns,
            rows,
            cells: vec![Vec::new(); columns * rows],
        };
        for (i, s) in (0u32..).zip(&shapes) {
            if s.bbox[0] > s.bbox[2] {
                continue;
            }
            let (c0, r0) = index
                .cell_of(s.bbox[0], s.bbox[1])
                .expect("inside the extent");
            let (c1, r1) = index
                .cell_of(s.bbox[2], s.bbox[3])
                .expect("inside the extent");
            for r in r0..=r1 {
                for c in c0..=c1 {
                    index.cells[r * columns + c].push(i);
                }
            }
        }
        index.shapes = shapes;
        index
    }

    fn cell_of(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let c = ((x - self.origin[0]) / CELL_M).floor();
        let r = ((y - self.origin[1]) / CELL_M).floor();
        (c >= 0.0 && r >= 0.0)
            .then(|| (usize_saturating(c), usize_saturating(r)))
            .filter(|&(c, r)| c < self.columns && r < self.rows)
    }

    /// Positions of the polygons that contain (x, y), in ascending order. A point exactly on a
    /// border belongs to one side only.
    pub fn containing(&self, x: f64, y: f64) -> Vec<usize> {
        let Some((c, r)) = self.cell_of(x, y) else {
            return Vec::new();
        };
        let (px, py) = (x * 100.0, y * 100.0);
        let mut hits: Vec<usize> = self.cells[r * self.columns + c]
            .iter()
            .map(|&i| usize_from_u32(i))
            .filter(|&i| {
                let s = &self.shapes[i];
                x >= s.bbox[0]
                    && x <= s.bbox[2]
                    && y >= s.bbox[1]
                    && y <= s.bbox[3]
                    && crossings_are_odd(&s.rings, px, py)
            })
            .collect();
        hits.sort_unstable();
        hits
    }

    /// Coordinates held, for the memory estimate in logs.
    pub fn vertices(&self) -> usize {
        self.shapes
            .iter()
            .flat_map(|s| &s.rings)
            .map(Vec::len)
            .sum()
    }
}

/// Even–odd rule: a ray from the point towards +x crosses the rings an odd number of times
/// exactly when the point is inside (exteriors and holes alike, for valid polygons).
fn crossings_are_odd(rings: &[Vec<[i32; 2]>], px: f64, py: f64) -> bool {
    let mut inside = false;
    for ring in rings {
        for w in ring.windows(2) {
            let (ax, ay) = (f64::from(w[0][0]), f64::from(w[0][1]));
            let (bx, by) = (f64::from(w[1][0]), f64::from(w[1][1]));
            if (ay > py) != (by > py) {
                let cross_x = ax + (py - ay) * (bx - ax) / (by - ay);
                if px < cross_x {
                    inside = !inside;
                }
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(polygons: &[MultiPolygon]) -> PointIndex {
        let mut builder = PointIndex::builder();
        for mp in polygons {
            builder.add(mp);
        }
        builder.build()
    }

    fn square(x: f64, y: f64, side: f64) -> Vec<[f64; 2]> {
        vec![
            [x, y],
            [x + side, y],
            [x + side, y + side],
            [x, y + side],
            [x, y],
        ]
    }

    #[test]
    fn finds_nested_and_neighbouring_polygons_and_respects_holes() {
        let big = vec![vec![
            square(0.0, 0.0, 20_000.0),
            square(5_000.0, 5_000.0, 1_000.0),
        ]];
        let left = vec![vec![square(0.0, 0.0, 10_000.0)]];
        let right = vec![vec![square(10_000.0, 0.0, 10_000.0)]];
        let islands = vec![
            vec![square(30_000.0, 0.0, 100.0)],
            vec![square(50_000.0, 50_000.0, 100.0)],
        ];
        let index = index_of(&[big, left, right, islands]);
        assert_eq!(index.containing(1_000.0, 1_000.0), [0, 1]);
        assert_eq!(index.containing(15_000.0, 9_999.0), [0, 2]);
        // In the hole of the big polygon, but still in the left one.
        assert_eq!(index.containing(5_500.0, 5_500.0), [1]);
        // Both parts of a multipolygon, far apart in the grid.
        assert_eq!(index.containing(30_050.0, 50.0), [3]);
        assert_eq!(index.containing(50_050.0, 50_050.0), [3]);
        assert!(index.containing(40_000.0, 40_000.0).is_empty());
        assert!(index.containing(-1.0, 5.0).is_empty());
        assert!(index.containing(1e12, f64::NAN).is_empty());
        assert_eq!(index.vertices(), 5 * 6);
    }

    #[test]
    fn a_concave_border_is_followed_exactly() {
        // A comb: teeth 10 cm apart, so a grid of bounding boxes alone would be wrong.
        let mut ring = vec![[0.0, 0.0]];
        for i in 0..50 {
            let x = f64::from(i) * 0.2;
            ring.extend([[x, 10.0], [x + 0.1, 10.0], [x + 0.1, 1.0], [x + 0.2, 1.0]]);
        }
        ring.extend([[10.0, 0.0], [0.0, 0.0]]);
        let index = index_of(&[vec![vec![ring]]]);
        assert_eq!(index.containing(0.05, 5.0), [0]);
        assert!(index.containing(0.15, 5.0).is_empty());
        assert_eq!(index.containing(0.15, 0.5), [0]);
    }

    #[test]
    fn no_polygons_no_hits() {
        let index = index_of(&[]);
        assert!(index.containing(0.0, 0.0).is_empty());
    }
}
