//! FlatGeobuf, encoded by PostGIS (`ST_AsFlatGeobuf`) with its packed R-tree index: the areas
//! of a collection that have a geometry, in EPSG:3006 at full resolution, with the GeoPackage's
//! attributes (without nulls: see [`db::export::flatgeobuf`]).

use std::path::Path;

use diesel::PgConnection;

use super::collection::ExportCollection;
use crate::db;
use crate::error::Result;

/// Writes the collection as a FlatGeobuf file at `out`.
///
/// PostGIS builds the file as one value, so the client holds it once (the national RegSO layer
/// is about 30 MB) while it is written out.
pub fn write(conn: &mut PgConnection, collection: &ExportCollection, out: &Path) -> Result<()> {
    let data = db::data_state::current(conn)?;
    let years = db::export::area_type_years(conn, collection.division)?;
    let bytes = db::export::flatgeobuf(conn, collection.division, &years, data.synthetic)?;
    std::fs::write(out, bytes)?;
    Ok(())
}
