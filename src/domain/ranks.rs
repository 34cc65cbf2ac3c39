//! Ranks and percentiles of areas by their socio-economic index.
//!
//! Rank 1 is the highest index (the greatest socio-economic challenges), matching area type 1.
//! Ties share the best rank ("1, 2, 2, 4"). The percentile is the share of areas whose index is
//! lower than or equal to this one's, so the area with the highest index is at 100.

use crate::convert::f64_from_usize;

/// (rank, percentile) for every value, in input order.
pub fn rank_desc(values: &[f64]) -> Vec<(u32, f64)> {
    let n = values.len();
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    values
        .iter()
        .map(|v| {
            // Areas with a strictly higher index come before this one.
            let not_higher = sorted.partition_point(|x| x <= v);
            let rank = u32::try_from(n - not_higher + 1).unwrap_or(u32::MAX);
            let percentile = 100.0 * f64_from_usize(not_higher) / f64_from_usize(n);
            (rank, percentile)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highest_index_ranks_first() {
        let r = rank_desc(&[10.0, 30.0, 20.0]);
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), [3, 1, 2]);
        assert_eq!(r[1].1, 100.0);
        assert!((r[0].1 - 100.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn ties_share_the_best_rank() {
        let r = rank_desc(&[5.0, 7.0, 7.0, 1.0]);
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), [3, 1, 1, 4]);
        assert_eq!(r[1].1, 100.0);
        assert_eq!(r[3].1, 25.0);
    }

    #[test]
    fn empty_is_empty() {
        assert!(rank_desc(&[]).is_empty());
    }
}
