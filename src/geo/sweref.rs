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
    for (j, bj) in beta.iter().enumerate() {
        let k = 2.0 * (j as f64 + 1.0);
        x += bj * (k * xi).sin() * (k * eta).cosh();
        y += bj * (k * xi).cos() * (k * eta).sinh();
    }
    (K0 * a_hat * y + FALSE_EASTING, K0 * a_hat * x)
}

#[cfg(test)]
mod tests {
    use super::*;

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
