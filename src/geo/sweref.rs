//! WGS 84 longitude/latitude to SWEREF 99 TM (EPSG:3006), the grid every geometry is stored
//! in: the transverse Mercator projection by Krüger's series, as Lantmäteriet publishes it
//! ("Gauss-Krügers formler"), exact to a millimetre over Sweden. SWEREF 99 and WGS 84 differ by
//! less than a metre, which EPSG's transformation (and PostGIS) treats as zero, as here.

/// GRS 80 semi-major axis, metres.
const A: f64 = 6_378_137.0;
/// GRS 80 flattening.
const F: f64 = 1.0 / 298.257_222_101;
/// Central meridian of SWEREF 99 TM, degrees.
const LON0: f64 = 15.0;
const K0: f64 = 0.9996;
const FALSE_EASTING: f64 = 500_000.0;

/// Longitudes and latitudes a CRS84 coordinate may take.
pub const LON_RANGE: std::ops::RangeInclusive<f64> = -180.0..=180.0;
pub const LAT_RANGE: std::ops::RangeInclusive<f64> = -90.0..=90.0;
/// Eastings and northings accepted in SWEREF 99 TM: the projection of the whole globe lies well
/// inside; beyond is a client's mistake (e.g. swapped axes or degrees), not a place.
pub const EASTING_RANGE: std::ops::RangeInclusive<f64> = -10_000_000.0..=10_000_000.0;
pub const NORTHING_RANGE: std::ops::RangeInclusive<f64> = -10_000_000.0..=20_000_000.0;

/// Sweden with a wide margin, in CRS84 (min lon, min lat, max lon, max lat). Every area lies
/// inside it; far from the central meridian the projection folds (a whole-world box projects
/// to a line), so a CRS84 box is cut to this one before it is projected.
pub const AROUND_SWEDEN: [f64; 4] = [0.0, 50.0, 40.0, 75.0];

/// Sweden with a wide margin in SWEREF 99 TM, as (min easting, min northing, max easting, max
/// northing): every area lies inside it.
pub const AROUND_SWEDEN_SWEREF: [f64; 4] = [150_000.0, 6_000_000.0, 1_050_000.0, 7_800_000.0];

/// EPSG:3006 defines its axes as northing (N), easting (E): OGC API – Features Part 2 wants
/// coordinates, `bbox` and extents in that order, while the database and GeoJSON writers think
/// in (x = easting, y = northing). These two turn a box between the orders; each is the other's
/// inverse (both swap the two numbers of each corner).
pub fn box_to_authority_order(b: [f64; 4]) -> [f64; 4] {
    [b[1], b[0], b[3], b[2]]
}

/// A box given in EPSG:3006's own order (min N, min E, max N, max E) as (min E, min N, max E,
/// max N).
pub fn box_from_authority_order(b: [f64; 4]) -> [f64; 4] {
    [b[1], b[0], b[3], b[2]]
}

/// Whether two (min x, min y, max x, max y) boxes share a point.
pub fn boxes_meet(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// A CRS84 box cut to [`AROUND_SWEDEN`]; a box outside it becomes a point there, which holds
/// no area.
pub fn clip_to_sweden(b: [f64; 4]) -> [f64; 4] {
    let s = AROUND_SWEDEN;
    let c = [
        b[0].max(s[0]),
        b[1].max(s[1]),
        b[2].min(s[2]),
        b[3].min(s[3]),
    ];
    if c[0] > c[2] || c[1] > c[3] {
        [s[0], s[1], s[0], s[1]]
    } else {
        c
    }
}

/// (easting, northing) in metres of a WGS 84 (lon, lat) in degrees.
pub fn project(lon: f64, lat: f64) -> (f64, f64) {
    let e2 = F * (2.0 - F);
    let n = F / (2.0 - F);
    let a_hat = A / (1.0 + n) * (1.0 + n * n / 4.0 + n.powi(4) / 64.0);
    let (a, b, c, d) = (
        e2,
        (5.0 * e2.powi(2) - e2.powi(3)) / 6.0,
        (104.0 * e2.powi(3) - 45.0 * e2.powi(4)) / 120.0,
        1237.0 * e2.powi(4) / 1260.0,
    );
    let beta = [
        n / 2.0 - 2.0 * n * n / 3.0 + 5.0 * n.powi(3) / 16.0 + 41.0 * n.powi(4) / 180.0,
        13.0 * n * n / 48.0 - 3.0 * n.powi(3) / 5.0 + 557.0 * n.powi(4) / 1440.0,
        61.0 * n.powi(3) / 240.0 - 103.0 * n.powi(4) / 140.0,
        49_561.0 * n.powi(4) / 161_280.0,
    ];
    let phi = lat.to_radians();
    let (s, co) = phi.sin_cos();
    let s2 = s * s;
    // Conformal latitude.
    let phi_star = phi - s * co * (a + b * s2 + c * s2 * s2 + d * s2 * s2 * s2);
    let dlon = (lon - LON0).to_radians();
    let xi = (phi_star.tan() / dlon.cos()).atan();
    let eta = (phi_star.cos() * dlon.sin()).atanh();
    let (mut x, mut y) = (xi, eta);
    for (j, bj) in (1u32..).zip(beta.iter()) {
        let k = 2.0 * f64::from(j);
        x += bj * (k * xi).sin() * (k * eta).cosh();
        y += bj * (k * xi).cos() * (k * eta).sinh();
    }
    (K0 * a_hat * y + FALSE_EASTING, K0 * a_hat * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_are_clipped_to_the_region_around_sweden() {
        assert_eq!(clip_to_sweden([-180.0, -90.0, 180.0, 90.0]), AROUND_SWEDEN);
        assert_eq!(
            clip_to_sweden([17.0, 59.0, 18.0, 60.0]),
            [17.0, 59.0, 18.0, 60.0]
        );
        assert_eq!(
            clip_to_sweden([-120.0, 30.0, -100.0, 40.0]),
            [0.0, 50.0, 0.0, 50.0]
        );
    }

    #[test]
    fn boxes_turn_between_easting_northing_and_the_authority_order() {
        let husby_en = [665_000.0, 6_588_000.0, 667_000.0, 6_590_000.0];
        let husby_ne = [6_588_000.0, 665_000.0, 6_590_000.0, 667_000.0];
        assert_eq!(box_to_authority_order(husby_en), husby_ne);
        assert_eq!(box_from_authority_order(husby_ne), husby_en);
        assert!(boxes_meet(husby_en, AROUND_SWEDEN_SWEREF));
        assert!(!boxes_meet(husby_ne, AROUND_SWEDEN_SWEREF));
    }

    /// Reference points computed with PROJ (PostGIS 3.3, `ST_Transform(…, 3006)`), not with
    /// this code.
    #[test]
    fn agrees_with_proj_to_the_millimetre() {
        for (lon, lat, east, north) in [
            (18.0686, 59.3293, 674_571.866_4, 6_580_743.008_3),
            (15.0, 62.0, 500_000.0, 6_874_180.147_7),
            (11.9746, 57.7089, 319_758.020_1, 6_400_326.036_2),
            (20.2255, 67.8558, 719_591.510_9, 7_536_070.680_4),
            (13.0038, 55.6050, 374_243.758_5, 6_163_926.553_4),
            (24.1, 65.8, 915_084.450_7, 7_327_768.609_2),
        ] {
            let (e, n) = project(lon, lat);
            assert!(
                (e - east).abs() < 0.002 && (n - north).abs() < 0.002,
                "({lon}, {lat}) gave ({e:.4}, {n:.4}), PROJ ({east}, {north})"
            );
        }
    }
}
