//! The OGC WebMercatorQuad tile matrix set (OGC Two Dimensional Tile Matrix Set 2.0, Annex D):
//! its numbers computed from the sphere PostGIS's `ST_TileEnvelope` uses, and the tiles a
//! CRS84 box covers.

use std::f64::consts::PI;

use crate::convert::u32_saturating;

/// Radius of the WGS 84 ellipsoid's semi-major axis, the sphere of EPSG:3857.
const RADIUS: f64 = 6_378_137.0;
/// The standardized rendering pixel size (0.28 mm) that relates cell size to scale.
const PIXEL_SIZE_M: f64 = 0.000_28;
/// Cells per tile edge in the registered WebMercatorQuad.
pub const TILE_SIZE: u32 = 256;

/// Half the width of the square the world maps to, in metres: the matrices' corner.
pub fn half_extent() -> f64 {
    PI * RADIUS
}

/// Metres per cell at a zoom level (tile matrix).
pub fn cell_size(zoom: u8) -> f64 {
    2.0 * half_extent() / f64::from(TILE_SIZE) / f64::from(1u32 << zoom)
}

/// The scale denominator of a zoom level, at 0.28 mm per cell.
pub fn scale_denominator(zoom: u8) -> f64 {
    cell_size(zoom) / PIXEL_SIZE_M
}

/// Tiles per matrix edge at a zoom level.
pub fn matrix_size(zoom: u8) -> u32 {
    1u32 << zoom
}

/// The inclusive (min_col, max_col, min_row, max_row) of the tiles at `zoom` that a CRS84 box
/// [west, south, east, north] touches (row 0 at the top, as in XYZ and OGC).
pub fn tile_limits(zoom: u8, bbox: [f64; 4]) -> (u32, u32, u32, u32) {
    let n = matrix_size(zoom);
    let last = f64::from(n - 1);
    let col = |lon: f64| {
        let x = (lon + 180.0) / 360.0 * f64::from(n);
        u32_saturating(x.floor().clamp(0.0, last))
    };
    let row = |lat: f64| {
        let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
        let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0;
        u32_saturating((y * f64::from(n)).floor().clamp(0.0, last))
    };
    (col(bbox[0]), col(bbox[2]), row(bbox[3]), row(bbox[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values of the registered definition (2DTMS 2.0, Table D.1).
    #[test]
    fn matches_the_published_web_mercator_quad() {
        assert_eq!(scale_denominator(0), 559_082_264.028_717_8);
        assert_eq!(cell_size(0), 156_543.033_928_040_97);
        assert!((scale_denominator(16) - 8_530.918_335_399_136).abs() < 1e-6);
        assert!((cell_size(16) - 2.388_657_133_911_758).abs() < 1e-12);
        assert!((half_extent() - 20_037_508.342_789_2).abs() < 1e-6);
        assert_eq!(matrix_size(16), 65_536);
    }

    #[test]
    fn stockholm_is_in_the_tiles_the_xyz_scheme_names() {
        // Husby in 6/35/18 and central Stockholm in 10/563/301 (the tests' tiles).
        let husby = [17.93, 59.41, 17.93, 59.41];
        assert_eq!(tile_limits(6, husby), (35, 35, 18, 18));
        assert_eq!(tile_limits(10, husby), (563, 563, 300, 300));
        let centre = [18.07, 59.33, 18.07, 59.33];
        assert_eq!(tile_limits(10, centre), (563, 563, 301, 301));
        let (min_col, max_col, min_row, max_row) = tile_limits(0, [-180.0, -90.0, 180.0, 90.0]);
        assert_eq!((min_col, max_col, min_row, max_row), (0, 0, 0, 0));
    }
}
