//! Vector tiles of a collection, what `/v1/tiles` and OGC API – Tiles both serve: a tile at a
//! checked address with its attributes, and what a tileset document says of the collection
//! (its extent, the indicators its tiles carry).

use diesel::PgConnection;

use crate::api_error::{ApiError, ApiResult, ParamError};
use crate::db::{self, features::Extent, tiles::TileAttributes};
use crate::domain::geography::Division;

use super::indicators::check_indicators;

/// The zoom levels served.
pub const MIN_ZOOM: u8 = 0;
pub const MAX_ZOOM: u8 = 16;

/// Sweden's extent in CRS84 (west, south, east, north): a collection's when nothing is loaded.
const SWEDEN: [f64; 4] = [10.0, 55.0, 24.2, 69.1];

/// What the parts of a tile address are called in a URL, so a bad part is named as the
/// client wrote it.
pub struct AddressNames {
    pub zoom: &'static str,
    pub col: &'static str,
    pub row: &'static str,
}

/// A tile's zoom, column and row.
pub type Address = (u8, u32, u32);

/// A tile address (zoom, column, row) checked against the zooms served and the matrix size at
/// that zoom; every bad part is named.
pub fn tile_address(zoom: &str, col: &str, row: &str, names: &AddressNames) -> ApiResult<Address> {
    let mut errors = Vec::new();
    let z: Option<u8> = zoom
        .parse()
        .ok()
        .filter(|z| (MIN_ZOOM..=MAX_ZOOM).contains(z));
    if z.is_none() {
        errors.push(ParamError::new(
            names.zoom,
            format!("a zoom level {MIN_ZOOM}–{MAX_ZOOM}"),
        ));
    }
    let n = z.map_or(1u32, |z| 1u32 << z);
    let x: Option<u32> = col.parse().ok().filter(|x| *x < n);
    let y: Option<u32> = row.parse().ok().filter(|y| *y < n);
    if x.is_none() {
        errors.push(ParamError::new(
            names.col,
            format!("a column 0–{} at this zoom", n - 1),
        ));
    }
    if y.is_none() {
        errors.push(ParamError::new(
            names.row,
            format!("a row 0–{} at this zoom", n - 1),
        ));
    }
    match (z, x, y) {
        (Some(z), Some(x), Some(y)) => Ok((z, x, y)),
        _ => Err(ApiError::BadRequest(errors)),
    }
}

/// The MVT of `division` at `address`, one layer named `layer`, with the area type of
/// `attributes.year` and its indicators' values (each checked against the catalogue: an unknown
/// one is a 400 naming `indicator`).
pub fn tile(
    conn: &mut PgConnection,
    division: Division,
    layer: &str,
    address: Address,
    attributes: &TileAttributes,
) -> ApiResult<Vec<u8>> {
    check_indicators(conn, "indicator", &attributes.indicators)?;
    Ok(db::tiles::tile(conn, division, layer, address, attributes)?)
}

/// The extent of `division` among `extents`, in CRS84 (west, south, east, north); Sweden's when
/// the division has none.
pub fn bounds_of(extents: &[Extent], division: Division) -> [f64; 4] {
    extents
        .iter()
        .find(|e| e.division == division)
        .and_then(|e| Some([e.xmin?, e.ymin?, e.xmax?, e.ymax?]))
        .unwrap_or(SWEDEN)
}

/// What a tileset document of `division` needs from the data: the indicators its tiles would
/// carry checked against the catalogue (an unknown one is a 400 naming `indicator`), and the
/// collection's extent ([`bounds_of`]).
pub fn tileset_bounds(
    conn: &mut PgConnection,
    division: Division,
    indicators: &[String],
) -> ApiResult<[f64; 4]> {
    check_indicators(conn, "indicator", indicators)?;
    Ok(bounds_of(&db::features::extents(conn)?, division))
}

#[cfg(test)]
mod tests {
    use super::*;

    const XYZ: AddressNames = AddressNames {
        zoom: "z",
        col: "x",
        row: "y",
    };

    fn named(r: ApiResult<Address>) -> Vec<String> {
        match r {
            Err(ApiError::BadRequest(errors)) => errors.into_iter().map(|e| e.parameter).collect(),
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn an_address_must_lie_in_the_matrix_of_its_zoom() {
        assert_eq!(tile_address("0", "0", "0", &XYZ).unwrap(), (0, 0, 0));
        assert_eq!(tile_address("6", "35", "18", &XYZ).unwrap(), (6, 35, 18));
        assert_eq!(
            tile_address("16", "65535", "65535", &XYZ).unwrap(),
            (16, 65535, 65535)
        );
        assert_eq!(named(tile_address("6", "64", "0", &XYZ)), ["x"]);
        assert_eq!(named(tile_address("6", "0", "64", &XYZ)), ["y"]);
        assert_eq!(named(tile_address("17", "0", "0", &XYZ)), ["z"]);
        // With no zoom the matrix is one tile: every other part is checked against it too.
        assert_eq!(named(tile_address("z", "1", "a", &XYZ)), ["z", "x", "y"]);
    }

    #[test]
    fn a_division_without_an_extent_gets_sweden() {
        let extent = |division, xmin| Extent {
            division,
            areas: 1,
            xmin,
            ymin: Some(56.0),
            xmax: Some(20.0),
            ymax: Some(66.0),
            min_easting: None,
            min_northing: None,
            max_easting: None,
            max_northing: None,
            first_year: 2020,
            last_year: None,
        };
        let extents = [
            extent(Division::Kommun, Some(11.0)),
            extent(Division::Regso2025, None),
        ];
        assert_eq!(
            bounds_of(&extents, Division::Kommun),
            [11.0, 56.0, 20.0, 66.0]
        );
        assert_eq!(bounds_of(&extents, Division::Regso2025), SWEDEN);
        assert_eq!(bounds_of(&extents, Division::Lan), SWEDEN);
    }
}
