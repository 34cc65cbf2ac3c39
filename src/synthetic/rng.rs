//! A small deterministic random number generator (SplitMix64), seeded per key, so the synthetic
//! dataset is the same for the same seed on every machine and does not depend on the order in
//! which areas are visited.

use crate::convert::f64_from_u64;

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A generator for one key (an area code, say) under `seed`: FNV-1a of the key mixed in.
    pub fn for_key(seed: u64, key: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut r = Rng(seed ^ h);
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        f64_from_u64(self.next_u64() >> 11) / f64_from_u64(1u64 << 53)
    }

    /// Standard normal, by Box–Muller.
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
#[allow(
    clippy::as_conversions,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers_and_keys_differ() {
        let a: Vec<u64> = (0..3)
            .map(|_| Rng::for_key(7, "0180R001").next_u64())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::for_key(7, "0180R001").next_u64(),
            Rng::for_key(7, "0180R002").next_u64()
        );
        assert_ne!(
            Rng::for_key(7, "0180R001").next_u64(),
            Rng::for_key(8, "0180R001").next_u64()
        );
    }

    #[test]
    fn normal_has_mean_zero_and_unit_variance() {
        let mut r = Rng::new(42);
        let xs: Vec<f64> = (0..20_000).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
        assert!((0..1000)
            .map(|_| r.uniform())
            .all(|u| (0.0..1.0).contains(&u)));
    }
}
