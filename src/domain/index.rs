//! The socio-economic index and the area types (DESIGN.md §1).
//!
//! Index = (V1 + V2 + V3) / 3, each a percentage; higher means worse conditions. The area type
//! places the index by standard deviations from that year's mean over all RegSO:
//! 1: ≥ μ+2σ · 2: [μ+σ, μ+2σ) · 3: [μ, μ+σ) · 4: [μ−σ, μ) · 5: < μ−σ.

use crate::convert::f64_from_usize;

/// The index from its three components (percentages 0–100).
pub fn socioeconomic_index(
    low_economic_standard: f64,
    low_education: f64,
    long_term_dependency: f64,
) -> f64 {
    (low_economic_standard + low_education + long_term_dependency) / 3.0
}

/// Mean and standard deviation of one year's indices. SCB does not say which standard
/// deviation it uses; with 3,363 areas the population and sample forms differ by 0.015 %, and
/// we use the population form (divide by n). `None` for fewer than two values or no spread.
pub fn mean_and_sd(values: &[f64]) -> Option<(f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    let n = f64_from_usize(values.len());
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    (sd > 0.0 && sd.is_finite()).then_some((mean, sd))
}

/// The area type (1–5) of an index given the year's mean and standard deviation.
pub fn area_type(index: f64, mean: f64, sd: f64) -> u8 {
    let z = (index - mean) / sd;
    if z >= 2.0 {
        1
    } else if z >= 1.0 {
        2
    } else if z >= 0.0 {
        3
    } else if z >= -1.0 {
        4
    } else {
        5
    }
}

/// Area types of all areas of one year, in input order.
pub fn classify(indices: &[f64]) -> Option<Vec<u8>> {
    let (mean, sd) = mean_and_sd(indices)?;
    Some(indices.iter().map(|&i| area_type(i, mean, sd)).collect())
}

/// One of the five area types, as published, with a colour a map can use.
pub struct AreaTypeInfo {
    pub area_type: u8,
    pub name_sv: &'static str,
    pub name_en: &'static str,
    pub description_sv: &'static str,
    pub description_en: &'static str,
    /// A diverging, colour-blind-safe ramp (ColorBrewer RdYlBu): red for major challenges,
    /// blue for very good conditions.
    pub colour: &'static str,
}

pub const AREA_TYPES: [AreaTypeInfo; 5] = [
    AreaTypeInfo {
        area_type: 1,
        name_sv: "Områden med stora socioekonomiska utmaningar",
        name_en: "Areas with major socio-economic challenges",
        description_sv: "Index minst två standardavvikelser över årets medelvärde.",
        description_en: "Index at least two standard deviations above the year's mean.",
        colour: "#d7191c",
    },
    AreaTypeInfo {
        area_type: 2,
        name_sv: "Områden med socioekonomiska utmaningar",
        name_en: "Areas with socio-economic challenges",
        description_sv: "Index mellan en och två standardavvikelser över medelvärdet.",
        description_en: "Index between one and two standard deviations above the mean.",
        colour: "#fdae61",
    },
    AreaTypeInfo {
        area_type: 3,
        name_sv: "Socioekonomiskt blandade områden",
        name_en: "Socio-economically mixed areas",
        description_sv: "Index mellan medelvärdet och en standardavvikelse över det.",
        description_en: "Index between the mean and one standard deviation above it.",
        colour: "#ffffbf",
    },
    AreaTypeInfo {
        area_type: 4,
        name_sv: "Områden med goda socioekonomiska förutsättningar",
        name_en: "Areas with good socio-economic conditions",
        description_sv: "Index mellan en standardavvikelse under medelvärdet och medelvärdet.",
        description_en: "Index between one standard deviation below the mean and the mean.",
        colour: "#abd9e9",
    },
    AreaTypeInfo {
        area_type: 5,
        name_sv: "Områden med mycket goda socioekonomiska förutsättningar",
        name_en: "Areas with very good socio-economic conditions",
        description_sv: "Index mer än en standardavvikelse under medelvärdet.",
        description_en: "Index more than one standard deviation below the mean.",
        colour: "#2c7bb6",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_the_mean_of_the_components() {
        assert_eq!(socioeconomic_index(30.0, 20.0, 10.0), 20.0);
        assert_eq!(socioeconomic_index(0.0, 0.0, 0.0), 0.0);
    }

    #[test]
    fn cut_points_are_inclusive_on_the_lower_bound() {
        let (m, s) = (10.0, 2.0);
        assert_eq!(area_type(14.0, m, s), 1); // exactly μ+2σ
        assert_eq!(area_type(13.99, m, s), 2);
        assert_eq!(area_type(12.0, m, s), 2); // exactly μ+σ
        assert_eq!(area_type(10.0, m, s), 3); // exactly μ
        assert_eq!(area_type(9.99, m, s), 4);
        assert_eq!(area_type(8.0, m, s), 4); // exactly μ−σ
        assert_eq!(area_type(7.99, m, s), 5);
    }

    #[test]
    fn classify_uses_the_population_sd() {
        // mean 5, population sd 2 (values 3, 7 each twice → var 4)
        let v = [3.0, 7.0, 3.0, 7.0, 5.0];
        let (m, s) = mean_and_sd(&v).unwrap();
        assert_eq!(m, 5.0);
        assert!((s - (16.0f64 / 5.0).sqrt()).abs() < 1e-12);
        let types = classify(&v).unwrap();
        assert_eq!(types, vec![5, 2, 5, 2, 3]);
    }

    #[test]
    fn no_types_without_spread() {
        assert_eq!(classify(&[4.0, 4.0, 4.0]), None);
        assert_eq!(classify(&[4.0]), None);
    }
}
