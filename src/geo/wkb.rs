//! Well-known binary for (multi)polygons: read what PostGIS and GeoPackage write (either byte
//! order, ISO or EWKB flags for Z/M/SRID, which are dropped), write little-endian 2D.

use super::{MultiPolygon, Polygon, Ring};
use crate::convert::usize_from_u32;

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or_else(|| format!("WKB ends early at byte {}", self.pos))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u32(&mut self, little: bool) -> Result<u32, String> {
        let b: [u8; 4] = self.array()?;
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, String> {
        let b: [u8; 8] = self.array()?;
        Ok(if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// Byte order and geometry type (1–7), with the number of ordinates per point.
    fn header(&mut self) -> Result<(bool, u32, usize), String> {
        let little = match self.take(1)?[0] {
            0 => false,
            1 => true,
            b => return Err(format!("bad WKB byte-order mark {b}")),
        };
        let raw = self.u32(little)?;
        let ewkb_z = raw & 0x8000_0000 != 0;
        let ewkb_m = raw & 0x4000_0000 != 0;
        if raw & 0x2000_0000 != 0 {
            self.u32(little)?; // EWKB SRID, not needed: the caller knows the CRS
        }
        let base = raw & 0x0FFF_FFFF;
        let (kind, iso_dims) = (base % 1000, base / 1000);
        let dims = 2
            + usize::from(ewkb_z || iso_dims == 1 || iso_dims == 3)
            + usize::from(ewkb_m || iso_dims == 2 || iso_dims == 3);
        Ok((little, kind, dims))
    }

    fn ring(&mut self, little: bool, dims: usize) -> Result<Ring, String> {
        let n = usize_from_u32(self.u32(little)?);
        if n > self.buf.len() / 16 {
            return Err(format!(
                "WKB ring claims {n} points, more than the data holds"
            ));
        }
        let mut ring = Vec::with_capacity(n);
        for _ in 0..n {
            let x = self.f64(little)?;
            let y = self.f64(little)?;
            for _ in 2..dims {
                self.f64(little)?;
            }
            ring.push([x, y]);
        }
        Ok(ring)
    }

    fn polygon_body(&mut self, little: bool, dims: usize) -> Result<Polygon, String> {
        let n = self.u32(little)?;
        (0..n).map(|_| self.ring(little, dims)).collect()
    }
}

/// Reads a Polygon or MultiPolygon as a multipolygon.
pub fn read_multipolygon(buf: &[u8]) -> Result<MultiPolygon, String> {
    let mut r = Reader { buf, pos: 0 };
    let (little, kind, dims) = r.header()?;
    match kind {
        3 => Ok(vec![r.polygon_body(little, dims)?]),
        6 => {
            let n = r.u32(little)?;
            (0..n)
                .map(|_| {
                    let (little, kind, dims) = r.header()?;
                    if kind != 3 {
                        return Err(format!("a MultiPolygon member has WKB type {kind}"));
                    }
                    r.polygon_body(little, dims)
                })
                .collect()
        }
        other => Err(format!("WKB geometry type {other} is not a (multi)polygon")),
    }
}

/// A WKB count, a little-endian u32. No geometry comes near 2^32 parts or points (64 GiB of
/// coordinates); past that it would saturate rather than wrap.
fn count(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes()
}

/// Little-endian 2D WKB MultiPolygon.
pub fn write_multipolygon(mp: &MultiPolygon) -> Vec<u8> {
    let points: usize = super::points(mp).count();
    let mut out = Vec::with_capacity(9 + points * 16 + mp.len() * 9);
    out.push(1);
    out.extend(6u32.to_le_bytes());
    out.extend(count(mp.len()));
    for poly in mp {
        out.push(1);
        out.extend(3u32.to_le_bytes());
        out.extend(count(poly.len()));
        for ring in poly {
            out.extend(count(ring.len()));
            for p in ring {
                out.extend(p[0].to_le_bytes());
                out.extend(p[1].to_le_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64) -> Polygon {
        vec![vec![
            [x, 0.0],
            [x + 1.0, 0.0],
            [x + 1.0, 1.0],
            [x, 1.0],
            [x, 0.0],
        ]]
    }

    #[test]
    fn round_trip() {
        let mp = vec![square(0.0), square(5.0)];
        assert_eq!(read_multipolygon(&write_multipolygon(&mp)).unwrap(), mp);
    }

    #[test]
    fn reads_big_endian_polygon_with_z() {
        // ISO WKB PolygonZ (1003), big-endian, one ring of 4 points.
        let mut b = vec![0u8];
        b.extend(1003u32.to_be_bytes());
        b.extend(1u32.to_be_bytes());
        b.extend(4u32.to_be_bytes());
        for p in [
            [0.0, 0.0, 9.0],
            [1.0, 0.0, 9.0],
            [0.0, 1.0, 9.0],
            [0.0, 0.0, 9.0],
        ] {
            for v in p {
                b.extend(f64::to_be_bytes(v));
            }
        }
        let mp = read_multipolygon(&b).unwrap();
        assert_eq!(
            mp,
            vec![vec![vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]]
        );
    }

    #[test]
    fn truncated_or_wrong_type_is_an_error() {
        let full = write_multipolygon(&vec![square(0.0)]);
        assert!(read_multipolygon(&full[..full.len() - 3]).is_err());
        let mut point = vec![1u8];
        point.extend(1u32.to_le_bytes());
        point.extend([0u8; 16]);
        assert!(read_multipolygon(&point).unwrap_err().contains("type 1"));
        // A huge claimed count must not allocate.
        let mut lying = vec![1u8];
        lying.extend(3u32.to_le_bytes());
        lying.extend(1u32.to_le_bytes());
        lying.extend(u32::MAX.to_le_bytes());
        assert!(read_multipolygon(&lying).is_err());
    }
}
