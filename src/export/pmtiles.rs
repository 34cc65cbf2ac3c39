//! A PMTiles v3 archive of a collection's vector tiles: the same MVT bytes `/v1/tiles` serves
//! (one query, `db::tiles::tile`), gzip-compressed, for every tile from z0 to [`MAX_ZOOM`] that
//! an area touches, with the area type of the latest year so the explorer's styles work on it.
//!
//! Written here rather than with the `pmtiles` crate: its writer needs Rust 1.88 (we keep 1.85)
//! and the last release for 1.85 (0.16) panics on archives that need leaf directories. The
//! format is small; the spec is <https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md>.
//!
//! Cost: one tile query per tile, the same the server pays per request, on one connection. On
//! the bundled national RegSO 2025 layer (3,363 areas), on a shared 2-core machine: z0–9 in
//! 72 s, z10 in 137 s (1,807 tiles), z11 in 522 s (6,914 tiles), z12 in 232 s (26,936 tiles,
//! 11,855 distinct, with leaf directories; 6.3 MB). z0–11 are slow because `geom_coarse` and
//! `geom_simplified` have no GiST index: each tile scans every area of every division (110 ms;
//! 0.35 ms with the index). With GiST indexes on both, the whole z0–12 archive took 426 s.
//! Tests write low zooms (`write_zooms`).
//!
//! Layout: header and root directory in the first 16 KiB (padded), then the metadata, the tile
//! data (each distinct tile once) and the leaf directories. Readers find every section through
//! the header's offsets, so the order is free after the root.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::ops::RangeInclusive;
use std::path::Path;

use diesel::PgConnection;
use flate2::write::GzEncoder;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::collection::ExportCollection;
use crate::convert::{i32_saturating, u32_saturating, u64_from_usize};
use crate::db;
use crate::db::tiles::TileAttributes;
use crate::error::{Error, Result};

/// The deepest zoom written: z12 carries full-resolution borders (`db::tiles::geometry_column`),
/// and MapLibre overzooms it beyond.
pub const MAX_ZOOM: u8 = 12;

/// Header (127 bytes) and root directory must fit in the first 16 KiB, which readers fetch in
/// one request.
const HEADER_LEN: usize = 127;
const ROOT_SPACE: usize = 16_384;

/// The MVT buffer `db::tiles::tile` draws around a tile (64 of 4096 units), doubled: an area
/// whose box comes this close to a tile is asked for, as it may draw into the tile's buffer.
const BUFFER_FRACTION: f64 = 128.0 / 4096.0;

const COMPRESSION_GZIP: u8 = 2;
const TILE_TYPE_MVT: u8 = 1;

/// Writes the archive of `collection` from z0 to [`MAX_ZOOM`].
pub fn write(conn: &mut PgConnection, collection: &ExportCollection, out: &Path) -> Result<()> {
    write_zooms(conn, collection, out, 0..=MAX_ZOOM)
}

/// Writes the archive of `collection` for `zooms` (tests use low zooms: z12 of a national layer
/// takes minutes). The file is written under a temporary name and renamed when complete.
pub fn write_zooms(
    conn: &mut PgConnection,
    collection: &ExportCollection,
    out: &Path,
    zooms: RangeInclusive<u8>,
) -> Result<()> {
    let state = db::data_state::current(conn)?;
    let year = db::export::latest_area_type_year(conn, collection.division)?;
    let boxes = db::tiles::area_boxes(conn, collection.division)?;
    let attributes = TileAttributes {
        year,
        indicators: Vec::new(),
    };
    let bounds = union(&boxes).unwrap_or([10.0, 55.0, 24.2, 69.1]);
    let metadata = json!({
        "name": collection.id,
        "description": format!("{}: borders and area types{}", collection.title,
            year.map_or(String::new(), |y| format!(" of {y}"))),
        "attribution": if state.synthetic { "Synthetic data (segstat), not SCB statistics" } else { "Källa: SCB" },
        "version": state.data_version,
        "data_version": state.data_version,
        "synthetic": state.synthetic,
        "year": year,
        "type": "overlay",
        "format": "pbf",
        "generator": "segstat export",
        "vector_layers": [{
            "id": collection.id,
            "description": "One feature per area; the feature id is the code's digits (DeSO letter A/B/C as 1/2/3).",
            "minzoom": zooms.start(),
            "maxzoom": zooms.end(),
            "fields": {
                "code": "String: the official code",
                "name": "String: the name",
                "area_type": format!("Number: the area type 1–5 of {}", year.map_or("no year (none loaded)".into(), |y| y.to_string())),
                "area_type_origin": "String: official (SCB's) or computed (here)",
            },
        }],
    });

    let part = out.with_extension("pmtiles.part");
    let mut archive = ArchiveWriter::create(&part, metadata.to_string().as_bytes())?;
    for z in zooms.clone() {
        for (id, (x, y)) in covering_tiles(&boxes, z) {
            let mvt = db::tiles::tile(
                conn,
                collection.division,
                collection.id,
                (z, x, y),
                &attributes,
            )?;
            if !mvt.is_empty() {
                archive.add(id, &mvt)?;
            }
        }
    }
    let center = [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0];
    let center_zoom = (*zooms.start()).max(4).min(*zooms.end());
    archive.finish(Placement {
        zooms,
        bounds,
        center,
        center_zoom,
    })?;
    std::fs::rename(&part, out)?;
    Ok(())
}

/// The smallest box around all boxes.
fn union(boxes: &[[f64; 4]]) -> Option<[f64; 4]> {
    boxes.iter().copied().reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
}

/// Where the archive sits on the map, for its header.
struct Placement {
    zooms: RangeInclusive<u8>,
    bounds: [f64; 4],
    center: [f64; 2],
    center_zoom: u8,
}

/// The tiles at zoom `z` that a box (west, south, east, north in CRS84) touches, with the MVT
/// buffer around each tile, by tile id (the order the archive wants).
pub fn covering_tiles(boxes: &[[f64; 4]], z: u8) -> BTreeMap<u64, (u32, u32)> {
    let n = 1u32 << z;
    let last = f64::from(n - 1);
    let mut tiles = BTreeMap::new();
    for b in boxes {
        let (x0, y0) = tile_fraction(b[0], b[3], z);
        let (x1, y1) = tile_fraction(b[2], b[1], z);
        let index = |v: f64| u32_saturating(v.floor().clamp(0.0, last));
        for x in index(x0 - BUFFER_FRACTION)..=index(x1 + BUFFER_FRACTION) {
            for y in index(y0 - BUFFER_FRACTION)..=index(y1 + BUFFER_FRACTION) {
                tiles.insert(tile_id(z, x, y), (x, y));
            }
        }
    }
    tiles
}

/// A CRS84 position as fractional WebMercatorQuad column and row at zoom `z`.
fn tile_fraction(lon: f64, lat: f64, z: u8) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    let lat = lat
        .clamp(-85.051_128_779_806_59, 85.051_128_779_806_59)
        .to_radians();
    let x = (lon + 180.0) / 360.0 * n;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x, y)
}

/// The PMTiles tile id: the tiles of all lower zooms, then the position of (x, y) along the
/// Hilbert curve of zoom `z`.
pub fn tile_id(z: u8, x: u32, y: u32) -> u64 {
    let below: u64 = (0..z).map(|i| 1u64 << (2 * i)).sum();
    let (mut x, mut y) = (u64::from(x), u64::from(y));
    let mut d = 0u64;
    let mut s = (1u64 << z) >> 1;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        // Rotate the quadrant so the curve continues (Hilbert's xy → d).
        if ry == 0 {
            if rx == 1 {
                x = s - 1 - (x & (s - 1));
                y = s - 1 - (y & (s - 1));
            }
            std::mem::swap(&mut x, &mut y);
        }
        s >>= 1;
    }
    below + d
}

/// Appends `v` as an unsigned LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v.to_le_bytes()[0] & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v.to_le_bytes()[0]);
}

/// A directory entry: a run of `run_length` tiles from `tile_id` sharing one content, or with
/// `run_length` 0 a leaf directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub tile_id: u64,
    pub offset: u64,
    pub length: u32,
    pub run_length: u32,
}

/// A directory, uncompressed: the entry count, then the columns tile id (as deltas), run
/// length, length and offset (0 when the entry follows the previous one directly, else the
/// offset + 1).
pub fn encode_directory(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 6 + 4);
    put_varint(&mut out, u64_from_usize(entries.len()));
    let mut last_id = 0;
    for e in entries {
        put_varint(&mut out, e.tile_id - last_id);
        last_id = e.tile_id;
    }
    for e in entries {
        put_varint(&mut out, u64::from(e.run_length));
    }
    for e in entries {
        put_varint(&mut out, u64::from(e.length));
    }
    for (i, e) in entries.iter().enumerate() {
        let follows = i > 0 && e.offset == entries[i - 1].offset + u64::from(entries[i - 1].length);
        put_varint(&mut out, if follows { 0 } else { e.offset + 1 });
    }
    out
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// The root directory (gzipped) and the leaf directories (gzipped, concatenated) for tile
/// entries in tile-id order. The root holds every entry when it fits in `root_limit` bytes;
/// otherwise it points to leaves of equal entry counts, grown by a fifth until the root fits
/// (go-pmtiles' rule).
pub fn build_directories(entries: &[Entry], root_limit: usize) -> Result<(Vec<u8>, Vec<u8>)> {
    let root = gzip(&encode_directory(entries))?;
    if root.len() <= root_limit {
        return Ok((root, Vec::new()));
    }
    let mut leaf_size = (entries.len() / 3500).max(4096);
    loop {
        let mut leaves = Vec::new();
        let mut pointers = Vec::new();
        for chunk in entries.chunks(leaf_size) {
            let leaf = gzip(&encode_directory(chunk))?;
            pointers.push(Entry {
                tile_id: chunk[0].tile_id,
                offset: u64_from_usize(leaves.len()),
                length: u32::try_from(leaf.len())
                    .map_err(|_| Error::Internal("a leaf directory over 4 GiB".into()))?,
                run_length: 0,
            });
            leaves.extend_from_slice(&leaf);
        }
        let root = gzip(&encode_directory(&pointers))?;
        if root.len() <= root_limit {
            return Ok((root, leaves));
        }
        leaf_size += leaf_size / 5;
    }
}

/// The counts and offsets a header records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    pub root: (u64, u64),
    pub metadata: (u64, u64),
    pub leaves: (u64, u64),
    pub data: (u64, u64),
    pub addressed_tiles: u64,
    pub tile_entries: u64,
    pub tile_contents: u64,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// west, south, east, north.
    pub bounds: [f64; 4],
    pub center_zoom: u8,
    pub center: [f64; 2],
}

impl Header {
    /// The 127 bytes: magic, version 3, little-endian offsets and counts, clustered, gzip for
    /// directories and tiles, MVT, zooms, positions in 1e-7 degrees.
    pub fn to_bytes(&self) -> Vec<u8> {
        let e7 = |v: f64| i32_saturating((v * 1e7).round()).to_le_bytes();
        let mut out = Vec::with_capacity(HEADER_LEN);
        out.extend_from_slice(b"PMTiles");
        out.push(3);
        for v in [
            self.root.0,
            self.root.1,
            self.metadata.0,
            self.metadata.1,
            self.leaves.0,
            self.leaves.1,
            self.data.0,
            self.data.1,
            self.addressed_tiles,
            self.tile_entries,
            self.tile_contents,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        // Clustered: tiles are written in tile-id order.
        out.extend_from_slice(&[1, COMPRESSION_GZIP, COMPRESSION_GZIP, TILE_TYPE_MVT]);
        out.extend_from_slice(&[self.min_zoom, self.max_zoom]);
        for v in [
            self.bounds[0],
            self.bounds[1],
            self.bounds[2],
            self.bounds[3],
        ] {
            out.extend_from_slice(&e7(v));
        }
        out.push(self.center_zoom);
        out.extend_from_slice(&e7(self.center[0]));
        out.extend_from_slice(&e7(self.center[1]));
        debug_assert_eq!(out.len(), HEADER_LEN);
        out
    }
}

/// Streams tiles into the file in tile-id order; identical tiles are stored once (by digest),
/// and a run of identical consecutive tiles is one entry.
struct ArchiveWriter {
    file: BufWriter<File>,
    metadata: (u64, u64),
    data_start: u64,
    data_len: u64,
    entries: Vec<Entry>,
    contents: HashMap<[u8; 32], (u64, u32)>,
}

impl ArchiveWriter {
    fn create(path: &Path, metadata: &[u8]) -> Result<ArchiveWriter> {
        let mut file = BufWriter::new(File::create(path)?);
        file.write_all(&[0; ROOT_SPACE])?;
        let metadata = gzip(metadata)?;
        file.write_all(&metadata)?;
        let data_start = u64_from_usize(ROOT_SPACE + metadata.len());
        Ok(ArchiveWriter {
            file,
            metadata: (u64_from_usize(ROOT_SPACE), u64_from_usize(metadata.len())),
            data_start,
            data_len: 0,
            entries: Vec::new(),
            contents: HashMap::new(),
        })
    }

    /// Adds a tile; ids must come in increasing order.
    fn add(&mut self, tile_id: u64, mvt: &[u8]) -> Result<()> {
        let digest: [u8; 32] = Sha256::digest(mvt).into();
        let (offset, length) = match self.contents.get(&digest) {
            Some(&known) => known,
            None => {
                let compressed = gzip(mvt)?;
                let length = u32::try_from(compressed.len())
                    .map_err(|_| Error::Internal("a tile over 4 GiB".into()))?;
                self.file.write_all(&compressed)?;
                let place = (self.data_len, length);
                self.data_len += u64::from(length);
                self.contents.insert(digest, place);
                place
            }
        };
        if let Some(last) = self.entries.last_mut() {
            if last.offset == offset && last.tile_id + u64::from(last.run_length) == tile_id {
                last.run_length += 1;
                return Ok(());
            }
        }
        self.entries.push(Entry {
            tile_id,
            offset,
            length,
            run_length: 1,
        });
        Ok(())
    }

    fn finish(mut self, placement: Placement) -> Result<()> {
        let (root, leaves) = build_directories(&self.entries, ROOT_SPACE - HEADER_LEN)?;
        let leaves_start = self.data_start + self.data_len;
        self.file.write_all(&leaves)?;
        let header = Header {
            root: (u64_from_usize(HEADER_LEN), u64_from_usize(root.len())),
            metadata: self.metadata,
            leaves: (leaves_start, u64_from_usize(leaves.len())),
            data: (self.data_start, self.data_len),
            addressed_tiles: self.entries.iter().map(|e| u64::from(e.run_length)).sum(),
            tile_entries: u64_from_usize(self.entries.len()),
            tile_contents: u64_from_usize(self.contents.len()),
            min_zoom: *placement.zooms.start(),
            max_zoom: *placement.zooms.end(),
            bounds: placement.bounds,
            center_zoom: placement.center_zoom,
            center: placement.center,
        };
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(&header.to_bytes())?;
        self.file.write_all(&root)?;
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(
    clippy::as_conversions,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use super::*;
    use std::io::Read;

    fn varint(bytes: &[u8], at: &mut usize) -> u64 {
        let mut v = 0;
        let mut shift = 0;
        loop {
            let b = bytes[*at];
            *at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    /// The spec's reading of a directory, independent of `encode_directory`.
    fn decode_directory(bytes: &[u8]) -> Vec<Entry> {
        let mut at = 0;
        let n = varint(bytes, &mut at) as usize;
        let mut entries = vec![
            Entry {
                tile_id: 0,
                offset: 0,
                length: 0,
                run_length: 0
            };
            n
        ];
        let mut id = 0;
        for e in entries.iter_mut() {
            id += varint(bytes, &mut at);
            e.tile_id = id;
        }
        for e in entries.iter_mut() {
            e.run_length = varint(bytes, &mut at) as u32;
        }
        for e in entries.iter_mut() {
            e.length = varint(bytes, &mut at) as u32;
        }
        for i in 0..n {
            let v = varint(bytes, &mut at);
            entries[i].offset = if v == 0 && i > 0 {
                entries[i - 1].offset + u64::from(entries[i - 1].length)
            } else {
                v - 1
            };
        }
        assert_eq!(at, bytes.len(), "nothing after the offsets");
        entries
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn tile_ids_follow_the_spec() {
        // Values from the reference implementation (the `pmtiles` package, zxy_to_tileid).
        assert_eq!(tile_id(0, 0, 0), 0);
        assert_eq!(tile_id(1, 0, 0), 1);
        assert_eq!(tile_id(1, 0, 1), 2);
        assert_eq!(tile_id(1, 1, 1), 3);
        assert_eq!(tile_id(1, 1, 0), 4);
        assert_eq!(tile_id(2, 0, 0), 5);
        assert_eq!(tile_id(2, 3, 1), 17);
        assert_eq!(tile_id(12, 3423, 1763), 19_078_479);
        // Every id of a zoom once, and the ids of a zoom directly after the zoom above.
        for z in 0..=5u8 {
            let n = 1u32 << z;
            let mut ids: Vec<u64> = (0..n)
                .flat_map(|x| (0..n).map(move |y| tile_id(z, x, y)))
                .collect();
            ids.sort_unstable();
            let first = (0..z).map(|i| 1u64 << (2 * i)).sum::<u64>();
            assert_eq!(
                ids,
                (first..first + u64::from(n) * u64::from(n)).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn varints_are_leb128() {
        let mut out = Vec::new();
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            out.clear();
            put_varint(&mut out, v);
            assert_eq!(varint(&out, &mut 0), v);
        }
        out.clear();
        put_varint(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
        out.clear();
        put_varint(&mut out, 127);
        assert_eq!(out, [0x7f]);
    }

    #[test]
    fn directories_round_trip_with_runs_and_reused_contents() {
        let entries = [
            Entry {
                tile_id: 0,
                offset: 0,
                length: 10,
                run_length: 1,
            },
            Entry {
                tile_id: 1,
                offset: 10,
                length: 20,
                run_length: 3,
            },
            // Reuses the first content: an explicit offset.
            Entry {
                tile_id: 7,
                offset: 0,
                length: 10,
                run_length: 1,
            },
            Entry {
                tile_id: 8,
                offset: 30,
                length: 5,
                run_length: 1,
            },
        ];
        let bytes = encode_directory(&entries);
        assert_eq!(decode_directory(&bytes), entries);
        // Offsets column: explicit 0+1, follows, explicit 0+1, explicit 30+1.
        assert_eq!(&bytes[bytes.len() - 4..], [1, 0, 1, 31]);
    }

    #[test]
    fn a_large_directory_goes_to_leaves_and_the_root_points_to_them() {
        // Pseudo-random ids and lengths (xorshift) so the directory does not compress away.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut entries = Vec::new();
        let (mut id, mut offset) = (0u64, 0u64);
        for _ in 0..60_000 {
            id += 1 + next() % 13;
            let length = 100 + (next() % 5000) as u32;
            entries.push(Entry {
                tile_id: id,
                offset,
                length,
                run_length: 1,
            });
            offset += u64::from(length);
        }
        let (root, leaves) = build_directories(&entries, ROOT_SPACE - HEADER_LEN).unwrap();
        assert!(root.len() <= ROOT_SPACE - HEADER_LEN);
        assert!(!leaves.is_empty());
        let pointers = decode_directory(&gunzip(&root));
        assert!(pointers.len() > 1 && pointers.iter().all(|p| p.run_length == 0));
        let mut read = Vec::new();
        for p in &pointers {
            let leaf = &leaves[p.offset as usize..p.offset as usize + p.length as usize];
            let leaf = decode_directory(&gunzip(leaf));
            assert_eq!(leaf[0].tile_id, p.tile_id);
            read.extend(leaf);
        }
        assert_eq!(read, entries);
        // A small directory stays in the root.
        let (root, leaves) = build_directories(&entries[..10], ROOT_SPACE - HEADER_LEN).unwrap();
        assert!(leaves.is_empty());
        assert_eq!(decode_directory(&gunzip(&root)), entries[..10]);
    }

    #[test]
    fn the_header_is_127_bytes_in_the_spec_order() {
        let header = Header {
            root: (127, 50),
            metadata: (16_384, 300),
            leaves: (9000, 0),
            data: (16_684, 8316),
            addressed_tiles: 40,
            tile_entries: 30,
            tile_contents: 20,
            min_zoom: 0,
            max_zoom: 12,
            bounds: [10.5, 55.1, 24.2, 69.1],
            center_zoom: 4,
            center: [17.35, -62.1],
        };
        let b = header.to_bytes();
        assert_eq!(b.len(), 127);
        assert_eq!(&b[..8], b"PMTiles\x03");
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
        let i32_at = |i: usize| i32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        assert_eq!((u64_at(8), u64_at(16)), (127, 50));
        assert_eq!((u64_at(56), u64_at(64)), (16_684, 8316));
        assert_eq!((u64_at(72), u64_at(80), u64_at(88)), (40, 30, 20));
        assert_eq!(&b[96..102], [1, 2, 2, 1, 0, 12]);
        assert_eq!((i32_at(102), i32_at(114)), (105_000_000, 691_000_000));
        assert_eq!(
            (b[118], i32_at(119), i32_at(123)),
            (4, 173_500_000, -621_000_000)
        );
    }

    #[test]
    fn covering_tiles_are_those_a_box_touches() {
        // Stockholm's inner city at z12 lies in a handful of tiles, all within Sweden's.
        let stockholm = [18.0, 59.3, 18.1, 59.35];
        let tiles = covering_tiles(&[stockholm], 12);
        let (x, y) = tile_fraction(18.05, 59.32, 12);
        assert!(tiles.values().any(|&t| t == (x as u32, y as u32)));
        assert!(tiles.len() <= 12, "{tiles:?}");
        // Ids are in the archive's order, and z0 is the one tile.
        assert!(tiles.keys().zip(tiles.keys().skip(1)).all(|(a, b)| a < b));
        assert_eq!(
            covering_tiles(&[stockholm], 0)
                .into_values()
                .collect::<Vec<_>>(),
            [(0, 0)]
        );
        // A box just past a tile's edge, within the buffer, asks for the neighbour too.
        let (x, _) = tile_fraction(18.0, 59.3, 10);
        let edge_lon = (x.floor() / 1024.0) * 360.0 - 180.0;
        let near = [edge_lon + 1e-4, 59.3, edge_lon + 2e-4, 59.3001];
        let columns: Vec<u32> = covering_tiles(&[near], 10).values().map(|t| t.0).collect();
        assert!(columns.contains(&(x.floor() as u32 - 1)) && columns.contains(&(x.floor() as u32)));
    }
}
