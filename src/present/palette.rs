//! Colours, one set for every chart, page and terminal: each class its own colour (red for
//! 已出险 through green for 正常, in the work plan's order), and a palette for series (rules
//! compared, the 三降 measures) whose neighbours differ in hue and lightness, so that no two
//! lines on one chart look alike.

use crate::domain::class::Class;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// As CSS and SVG write it: `rgb(200,55,45)`.
    pub fn css(self) -> String {
        format!("rgb({},{},{})", self.0, self.1, self.2)
    }
}

/// A class's colour: 已出险 red, 高风险 orange, 僵尸类 grey, 规模较小 blue, 正常 green.
pub fn class(c: Class) -> Rgb {
    match c {
        Class::Failed => Rgb(192, 57, 43),
        Class::HighRisk => Rgb(230, 126, 34),
        Class::Zombie => Rgb(127, 127, 127),
        Class::Small => Rgb(41, 128, 185),
        Class::Normal => Rgb(39, 174, 96),
    }
}

/// A class's colour on a terminal (the 16 standard ANSI colours, which every terminal maps to
/// its theme): red, yellow, bright black, blue, green.
pub fn class_ansi(c: Class) -> u8 {
    match c {
        Class::Failed => 31,
        Class::HighRisk => 33,
        Class::Zombie => 90,
        Class::Small => 34,
        Class::Normal => 32,
    }
}

/// Series colours in the order series are drawn: blue, vermilion, green, pink, amber, black,
/// brown — hues of the Okabe–Ito palette (readable by the colour-blind) and no two alike, so
/// that the seven division rules compared (`pro` first, `apro` sixth) never share a hue.
pub const SERIES: [Rgb; 7] = [
    Rgb(0, 114, 178),
    Rgb(213, 94, 0),
    Rgb(0, 158, 115),
    Rgb(204, 121, 167),
    Rgb(230, 159, 0),
    Rgb(0, 0, 0),
    Rgb(140, 86, 75),
];

/// The colour of the `i`th series (cycling past the palette's end).
pub fn series(i: usize) -> Rgb {
    SERIES[i % SERIES.len()]
}

/// The three 三降 measures: platforms, outstanding, lenders.
pub const MEASURES: [Rgb; 3] = [SERIES[0], SERIES[1], SERIES[2]];

/// One colour for single-series bars (districts, bands, payout ratios).
pub const BAR: Rgb = Rgb(31, 78, 121);

/// Gridlines and axes: light enough not to compete with the data.
pub const GRID: Rgb = Rgb(225, 225, 225);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_and_series_has_its_own_colour() {
        let classes: Vec<Rgb> = Class::WORK_PLAN.into_iter().map(class).collect();
        for (i, a) in classes.iter().enumerate() {
            assert!(!classes[i + 1..].contains(a), "two classes share {a:?}");
        }
        for (i, a) in SERIES.iter().enumerate() {
            assert!(!SERIES[i + 1..].contains(a));
        }
        assert_eq!(series(7), series(0));
        assert_eq!(class(Class::Failed).css(), "rgb(192,57,43)");
    }
}
