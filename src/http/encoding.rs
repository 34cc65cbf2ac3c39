//! Content codings of the bodies the response cache holds: which coding a client accepts
//! (`Accept-Encoding`, RFC 9110 §12.5.3) and the compression itself, which runs once per body
//! and coding, so it can afford a level chosen for size rather than for speed.
//!
//! zstd is left out: every client that sends it (Chrome, Firefox, urllib3 with `zstandard`)
//! sends `br` too, and brotli at the levels below gives smaller bodies than zstd at the same
//! cost; zstd's strength, fast compression on every request, is what the cache makes
//! unnecessary. It would also add a C library to the build.

use std::io::Write;

use actix_web::web::Bytes;

/// A content coding the response cache stores bodies in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coding {
    Identity,
    Gzip,
    Br,
}

impl Coding {
    /// The token of `Content-Encoding`, and the suffix of a coded body's ETag.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Identity => "identity",
            Coding::Gzip => "gzip",
            Coding::Br => "br",
        }
    }
}

/// Weight of identity when the header does not name it: acceptable (RFC 9110 §12.5.3), but
/// after any coding the client named, and below the smallest `q` a client can write (0.001).
const IMPLICIT_IDENTITY: f32 = 0.0005;

/// The coding to answer with, for the value of `Accept-Encoding` (`None`: no header).
///
/// The acceptable coding with the highest `q` wins; at equal `q`, br before gzip before
/// identity. `*` stands for every coding not named. Identity is acceptable unless refused
/// (`identity;q=0`, or `*;q=0` without naming identity); when nothing is acceptable, identity is
/// the answer too (actix-web's `Compress` answers such requests with 406 before they get here).
/// No header means identity: a client that says nothing may not decode anything.
pub fn preferred(accept_encoding: Option<&str>) -> Coding {
    let Some(header) = accept_encoding else {
        return Coding::Identity;
    };
    let (mut br, mut gzip, mut identity, mut star) = (None, None, None, None);
    for element in header.split(',') {
        let mut parts = element.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let mut q = Some(1.0);
        for param in parts {
            if let Some((key, value)) = param.split_once('=') {
                if key.trim().eq_ignore_ascii_case("q") {
                    q = qvalue(value.trim());
                }
            }
        }
        // An element with a malformed weight is ignored, as if it were not there.
        let Some(q) = q else { continue };
        match name.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "identity" => identity = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    let identity = identity
        .or(star.filter(|q| *q == 0.0))
        .unwrap_or(IMPLICIT_IDENTITY);
    let candidates = [
        (Coding::Br, br.or(star).unwrap_or(0.0)),
        (Coding::Gzip, gzip.or(star).unwrap_or(0.0)),
        (Coding::Identity, identity),
    ];
    // `max_by` keeps the last of equal elements: iterate from the least preferred.
    candidates
        .into_iter()
        .rev()
        .filter(|(_, q)| *q > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(Coding::Identity, |(coding, _)| coding)
}

/// A `qvalue` (RFC 9110 §12.4.2): 0 to 1 with at most three decimals.
fn qvalue(text: &str) -> Option<f32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let valid = matches!(whole, "0" | "1")
        && fraction.len() <= 3
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && (whole == "0" || fraction.bytes().all(|b| b == b'0'));
    valid.then(|| text.parse().ok()).flatten()
}

/// Levels chosen by body size. The first request for a coding waits for the whole compression,
/// and it must cost no more than actix-web's `Compress` did on every request (gzip 1, brotli 3):
/// issue #13's target for the cold request. Up to 128 KiB, gzip 6 and brotli 5 cost at most a
/// few milliseconds more than those and give bodies within 2 % of gzip 9 / brotli 9 (brotli 9
/// costs 6–10 times as much, brotli 11 30–40 times); above that the extra cost grows with size
/// (brotli 4 on the 2.5 MB national layer: +100 ms for 5 % less), so large bodies get actix's
/// own levels. Measured on this project's bodies: bench/README.md, "HTTP with compression".
const RICHER_UP_TO: usize = 128 * 1024;

fn gzip_level(len: usize) -> u32 {
    if len <= RICHER_UP_TO {
        6
    } else {
        1
    }
}

fn brotli_quality(len: usize) -> u32 {
    if len <= RICHER_UP_TO {
        5
    } else {
        3
    }
}

/// `body` in `coding`. CPU-bound: callers run it on the blocking pool.
pub fn encode(body: &[u8], coding: Coding) -> std::io::Result<Bytes> {
    let mut out = Vec::with_capacity(body.len() / 4 + 64);
    match coding {
        Coding::Identity => return Ok(Bytes::copy_from_slice(body)),
        Coding::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(
                &mut out,
                flate2::Compression::new(gzip_level(body.len())),
            );
            encoder.write_all(body)?;
            encoder.finish()?;
        }
        Coding::Br => {
            // A 4 MiB window (22), which every brotli decoder supports.
            let mut encoder =
                brotli::CompressorWriter::new(&mut out, 64 * 1024, brotli_quality(body.len()), 22);
            encoder.write_all(body)?;
            // Ends the stream (a flush alone would leave it open).
            encoder.into_inner();
        }
    }
    out.shrink_to_fit();
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn no_header_or_an_empty_one_means_identity() {
        assert_eq!(preferred(None), Coding::Identity);
        assert_eq!(preferred(Some("")), Coding::Identity);
        assert_eq!(preferred(Some(" , ")), Coding::Identity);
    }

    #[test]
    fn br_before_gzip_at_equal_weight() {
        assert_eq!(preferred(Some("gzip, deflate, br")), Coding::Br);
        assert_eq!(preferred(Some("gzip, deflate, br, zstd")), Coding::Br);
        assert_eq!(preferred(Some("gzip, deflate")), Coding::Gzip);
        assert_eq!(preferred(Some("x-gzip")), Coding::Gzip);
        assert_eq!(preferred(Some("GZIP;Q=0.5, Br;q=0.5")), Coding::Br);
        assert_eq!(preferred(Some("deflate")), Coding::Identity);
    }

    #[test]
    fn weights_decide() {
        assert_eq!(preferred(Some("br;q=0.5, gzip")), Coding::Gzip);
        assert_eq!(preferred(Some("br;q=0.5, gzip;q=0.8")), Coding::Gzip);
        assert_eq!(preferred(Some("gzip;q=0.2, identity")), Coding::Identity);
        assert_eq!(preferred(Some("gzip;q=1, identity;q=1")), Coding::Gzip);
        assert_eq!(preferred(Some("gzip;q=0.001")), Coding::Gzip);
        assert_eq!(preferred(Some("gzip ; q = 0.9 , br ; q=0.3")), Coding::Gzip);
    }

    #[test]
    fn zero_refuses() {
        assert_eq!(preferred(Some("gzip;q=0, br;q=0")), Coding::Identity);
        assert_eq!(preferred(Some("br;q=0, gzip")), Coding::Gzip);
        assert_eq!(preferred(Some("br;q=0.000, gzip;q=0.0")), Coding::Identity);
        assert_eq!(preferred(Some("identity")), Coding::Identity);
        assert_eq!(preferred(Some("identity;q=0")), Coding::Identity);
    }

    #[test]
    fn star_stands_for_every_coding_not_named() {
        assert_eq!(preferred(Some("*")), Coding::Br);
        assert_eq!(preferred(Some("br;q=0, *")), Coding::Gzip);
        assert_eq!(preferred(Some("gzip;q=0.3, *;q=0.5")), Coding::Br);
        assert_eq!(preferred(Some("*;q=0, identity")), Coding::Identity);
        assert_eq!(preferred(Some("*;q=0, gzip")), Coding::Gzip);
    }

    #[test]
    fn malformed_weights_drop_their_element() {
        for bad in ["2", "1.5", "0.1234", "-1", "abc", "", "1.01", "NaN", ".5"] {
            assert_eq!(qvalue(bad), None, "{bad}");
            assert_eq!(
                preferred(Some(&format!("br;q={bad}, gzip"))),
                Coding::Gzip,
                "br;q={bad}"
            );
        }
        for good in ["0", "1", "0.5", "0.125", "1.000", "0."] {
            assert!(qvalue(good).is_some(), "{good}");
        }
    }

    #[test]
    fn coded_bodies_decode_to_the_original() {
        let body: Vec<u8> = (0..200_000u32)
            .flat_map(|i| {
                format!("{{\"code\":\"0180R{:03}\",\"v\":{}}},", i % 1000, i % 97).into_bytes()
            })
            .collect();
        let gz = encode(&body, Coding::Gzip).unwrap();
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, body);
        let br = encode(&body, Coding::Br).unwrap();
        let mut plain = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, body);
        assert!(br.len() < body.len() / 5 && gz.len() < body.len() / 5);
        assert_eq!(
            encode(b"", Coding::Br).map(|b| b.is_empty()).ok(),
            Some(false)
        );
    }
}
