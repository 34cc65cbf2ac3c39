//! The inequality index: the dissimilarity index between low-income (lowest quintile) and
//! high-income (highest quintile) residents over the areas of a municipality, county or the
//! country. D = ½ · Σ |aᵢ/A − bᵢ/B| × 100: the percentage of low-income residents who would
//! have to move to be spread like the high-income residents.

/// `counts` holds (low-income, high-income) per area. `None` when either total is zero: the
/// index is undefined, not 0.
pub fn dissimilarity(counts: &[(f64, f64)]) -> Option<f64> {
    let (a, b) = counts
        .iter()
        .fold((0.0, 0.0), |(a, b), &(x, y)| (a + x, b + y));
    if a <= 0.0 || b <= 0.0 || counts.iter().any(|&(x, y)| x < 0.0 || y < 0.0) {
        return None;
    }
    let sum: f64 = counts.iter().map(|&(x, y)| (x / a - y / b).abs()).sum();
    Some(50.0 * sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_spread_is_zero_and_full_separation_is_hundred() {
        assert_eq!(dissimilarity(&[(10.0, 20.0), (30.0, 60.0)]), Some(0.0));
        assert_eq!(dissimilarity(&[(50.0, 0.0), (0.0, 80.0)]), Some(100.0));
    }

    #[test]
    fn worked_example() {
        // a = 60/100, 40/100; b = 20/100, 80/100 → ½(|0.6−0.2| + |0.4−0.8|) = 0.4
        let d = dissimilarity(&[(60.0, 20.0), (40.0, 80.0)]).unwrap();
        assert!((d - 40.0).abs() < 1e-9);
    }

    #[test]
    fn undefined_without_both_groups() {
        assert_eq!(dissimilarity(&[(0.0, 5.0), (0.0, 3.0)]), None);
        assert_eq!(dissimilarity(&[]), None);
        assert_eq!(dissimilarity(&[(-1.0, 5.0), (3.0, 3.0)]), None);
    }
}
