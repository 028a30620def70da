//! Charts as inline SVG for the HTML documents (report.html, compare.html): bars by category
//! and lines over categories, drawn by compile-time templates that escape every label, so a
//! name from the data can never become markup. Laid out to be read, not decorated: gridlines
//! only at the labelled ticks, one slot per bar and none empty, y labels with thousands
//! separators, category labels slanted when they would collide, legends below the plot
//! rather than over a line, colours from the presentation layer.

use askama::Template;
use unicode_width::UnicodeWidthStr;

use crate::error::{Error, Result};
use crate::present::palette::{self, Rgb};

/// Markup rendered by one of winddown's escaping templates: the only text a document puts
/// in a page without escaping it again (`{{ chart|safe }}`). It cannot be built from a string.
#[derive(Debug, Clone)]
pub struct Markup(String);

impl Markup {
    pub(crate) fn of<T: Template>(t: &T) -> Result<Markup> {
        t.render()
            .map(Markup)
            .map_err(|e| Error::Internal(format!("rendering a template: {e}")))
    }
}

impl std::fmt::Display for Markup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a value on the y axis is: how its tick labels are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Whole counts: ticks at whole numbers only, with separators (`12,000`).
    Count,
    /// An amount (万元 and the like): separators, decimals only when the step needs them.
    Amount,
    /// A percentage, 0–100: ticks every 20 (`40%`).
    Percent,
}

/// One bar.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub color: Rgb,
}

/// One line: a value per category (`None` leaves a gap).
pub struct Series {
    pub name: String,
    pub color: Rgb,
    pub values: Vec<Option<f64>>,
}

const FONT: f64 = 12.0;
const TOP: f64 = 36.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;

/// A y tick: its position and label.
struct Tick {
    y: String,
    label: String,
}

/// A category label under the x axis.
struct XLabel {
    x: String,
    y: String,
    text: String,
    /// Slanted labels end at their tick.
    slanted: bool,
}

struct Rect {
    x: String,
    y: String,
    w: String,
    h: String,
    fill: String,
    title: String,
}

struct Line {
    points: String,
    color: String,
    dots: Vec<(String, String)>,
}

struct Key {
    x: String,
    y: String,
    color: String,
    name: String,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r##"<svg xmlns="http://www.w3.org/2000/svg" width="{{ width }}" height="{{ height }}" viewBox="0 0 {{ width }} {{ height }}" role="img" aria-label="{{ title }}" font-family="sans-serif" font-size="12">
<text x="{{ mid }}" y="20" text-anchor="middle" font-size="15">{{ title }}</text>
{% for t in ticks %}<line x1="{{ left }}" x2="{{ right }}" y1="{{ t.y }}" y2="{{ t.y }}" stroke="{{ grid }}"/><text x="{{ tick_x }}" y="{{ t.y }}" dy="4" text-anchor="end">{{ t.label }}</text>
{% endfor %}<text transform="translate(14,{{ axis_mid }}) rotate(-90)" text-anchor="middle">{{ y_desc }}</text>
{% for r in rects %}<rect x="{{ r.x }}" y="{{ r.y }}" width="{{ r.w }}" height="{{ r.h }}" fill="{{ r.fill }}"><title>{{ r.title }}</title></rect>
{% endfor %}{% for l in lines %}<polyline points="{{ l.points }}" fill="none" stroke="{{ l.color }}" stroke-width="2.5"/>{% for d in l.dots %}<circle cx="{{ d.0 }}" cy="{{ d.1 }}" r="3" fill="{{ l.color }}"/>{% endfor %}
{% endfor %}<line x1="{{ left }}" x2="{{ right }}" y1="{{ bottom }}" y2="{{ bottom }}" stroke="rgb(90,90,90)"/>
{% for x in xlabels %}{% if x.slanted %}<text x="{{ x.x }}" y="{{ x.y }}" text-anchor="end" transform="rotate(-35 {{ x.x }} {{ x.y }})">{{ x.text }}</text>{% else %}<text x="{{ x.x }}" y="{{ x.y }}" text-anchor="middle">{{ x.text }}</text>{% endif %}
{% endfor %}{% for k in keys %}<rect x="{{ k.x }}" y="{{ k.y }}" width="14" height="4" fill="{{ k.color }}"/><text x="{{ k.x }}" y="{{ k.y }}" dx="19" dy="5">{{ k.name }}</text>
{% endfor %}</svg>"##
)]
struct Svg {
    width: u32,
    height: u32,
    title: String,
    y_desc: String,
    mid: String,
    left: String,
    right: String,
    bottom: String,
    tick_x: String,
    axis_mid: String,
    grid: String,
    ticks: Vec<Tick>,
    rects: Vec<Rect>,
    lines: Vec<Line>,
    xlabels: Vec<XLabel>,
    keys: Vec<Key>,
}

/// A coordinate with one decimal.
fn c(v: f64) -> String {
    format!("{v:.1}")
}

/// How wide a label is drawn, in pixels (CJK characters are two columns wide).
fn text_px(s: &str) -> f64 {
    s.width() as f64 * FONT * 0.55
}

/// The y axis: its top and the ticks, at a 1-2-5 step giving about five intervals.
fn axis(max: f64, scale: Scale) -> (f64, Vec<f64>) {
    if scale == Scale::Percent {
        return (100.0, (0..=5).map(|i| f64::from(i) * 20.0).collect());
    }
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let rough = max / 5.0;
    let mag = 10f64.powf(rough.log10().floor());
    let mut step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * mag);
    if scale == Scale::Count {
        step = step.max(1.0).round();
    }
    let top = (max / step).ceil() * step;
    let n = (top / step).round() as i64;
    (top, (0..=n).map(|i| i as f64 * step).collect())
}

fn tick_label(v: f64, step: f64, scale: Scale) -> String {
    match scale {
        Scale::Percent => format!("{v:.0}%"),
        Scale::Count => crate::present::number::count(v.round() as i64),
        Scale::Amount => {
            let decimals = if step >= 1.0 {
                0
            } else {
                (-step.log10().floor()) as usize
            };
            let whole = crate::present::number::count(v.trunc() as i64);
            if decimals == 0 {
                whole
            } else {
                let frac = format!("{:.*}", decimals, v.fract());
                format!("{whole}{}", frac.trim_start_matches('0'))
            }
        }
    }
}

/// The frame every chart shares: size, ticks, category labels; returns the template with
/// no marks yet, the plot's bottom and its height, and each category's centre.
fn frame(
    title: &str,
    y_desc: &str,
    labels: &[String],
    max: f64,
    scale: Scale,
    legend_rows: usize,
    min_width: f64,
) -> (Svg, f64, f64, Vec<f64>, f64) {
    let n = labels.len().max(1);
    let widest = labels.iter().map(|l| text_px(l)).fold(0.0, f64::max);
    let width =
        (LEFT + RIGHT + (n as f64) * (widest + 12.0).clamp(44.0, 90.0)).clamp(min_width, 900.0);
    let slot = (width - LEFT - RIGHT) / n as f64;
    let slanted = widest + 6.0 > slot;
    let label_h = if slanted { widest * 0.6 + 18.0 } else { 22.0 };
    let plot_h = 230.0;
    let bottom = TOP + plot_h;
    let height = bottom + label_h + 8.0 + 20.0 * legend_rows as f64;
    let (top, ticks) = axis(max, scale);
    let step = ticks.get(1).copied().unwrap_or(top);
    let y_of = |v: f64| bottom - plot_h * (v / top).clamp(0.0, 1.05);
    let centres: Vec<f64> = (0..n).map(|i| LEFT + slot * (i as f64 + 0.5)).collect();
    let svg = Svg {
        width: width.round() as u32,
        height: height.round() as u32,
        title: title.to_string(),
        y_desc: y_desc.to_string(),
        mid: c(width / 2.0),
        left: c(LEFT),
        right: c(width - RIGHT),
        bottom: c(bottom),
        tick_x: c(LEFT - 6.0),
        axis_mid: c(TOP + plot_h / 2.0),
        grid: palette::GRID.css(),
        ticks: ticks
            .iter()
            .map(|v| Tick {
                y: c(y_of(*v)),
                label: tick_label(*v, step, scale),
            })
            .collect(),
        rects: Vec::new(),
        lines: Vec::new(),
        xlabels: labels
            .iter()
            .zip(&centres)
            .map(|(l, x)| XLabel {
                x: c(if slanted { x + 4.0 } else { *x }),
                y: c(bottom + 16.0),
                text: l.clone(),
                slanted,
            })
            .collect(),
        keys: Vec::new(),
    };
    (svg, bottom, plot_h / top, centres, slot)
}

/// A bar chart: one bar per category, each in its own colour.
pub fn bars(title: &str, y_desc: &str, bars: &[Bar], scale: Scale) -> Result<Markup> {
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let (mut svg, bottom, per_unit, centres, slot) =
        frame(title, y_desc, &labels, max, scale, 0, 480.0);
    let w = (slot * 0.62).min(56.0);
    svg.rects = bars
        .iter()
        .zip(&centres)
        .map(|(b, x)| {
            let h = (b.value.max(0.0) * per_unit).min(bottom - TOP + 12.0);
            Rect {
                x: c(x - w / 2.0),
                y: c(bottom - h),
                w: c(w),
                h: c(h),
                fill: b.color.css(),
                title: format!("{}: {}", b.label, tick_label(b.value, 0.01, scale)),
            }
        })
        .collect();
    Markup::of(&svg)
}

/// Lines over categories (stage ends, claim bands), the legend below the plot.
pub fn lines(
    title: &str,
    y_desc: &str,
    categories: &[String],
    series: &[Series],
    scale: Scale,
) -> Result<Markup> {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .fold(0.0, f64::max);
    // The legend's keys side by side, as wide as their names, wrapping to a new row.
    let width_of = |s: &Series| 19.0 + text_px(&s.name) + 24.0;
    let plot_w = 720.0 - LEFT - RIGHT;
    let mut at = Vec::with_capacity(series.len());
    let (mut x, mut row) = (0.0, 0usize);
    for s in series {
        if x > 0.0 && x + width_of(s) > plot_w {
            (x, row) = (0.0, row + 1);
        }
        at.push((x, row));
        x += width_of(s);
    }
    let rows = if series.is_empty() { 0 } else { row + 1 };
    let (mut svg, bottom, per_unit, centres, _) =
        frame(title, y_desc, categories, max, scale, rows, 720.0);
    svg.lines = series
        .iter()
        .map(|s| {
            let pts: Vec<(String, String)> = s
                .values
                .iter()
                .zip(&centres)
                .filter_map(|(v, x)| v.map(|v| (c(*x), c(bottom - v.max(0.0) * per_unit))))
                .collect();
            Line {
                points: pts
                    .iter()
                    .map(|(x, y)| format!("{x},{y}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                color: s.color.css(),
                dots: pts,
            }
        })
        .collect();
    let legend_top = f64::from(svg.height) - 20.0 * rows as f64 + 2.0;
    svg.keys = series
        .iter()
        .zip(at)
        .map(|(s, (x, row))| Key {
            x: c(LEFT + x),
            y: c(legend_top + 20.0 * row as f64),
            color: s.color.css(),
            name: s.name.clone(),
        })
        .collect();
    Markup::of(&svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_largest_value() {
        let (top, ticks) = axis(91_176.0, Scale::Count);
        assert_eq!(top, 100_000.0);
        assert_eq!(
            ticks,
            vec![0.0, 20_000.0, 40_000.0, 60_000.0, 80_000.0, 100_000.0]
        );
        assert_eq!(tick_label(20_000.0, 20_000.0, Scale::Count), "20,000");
        // Counts never tick at half a platform.
        let (top, ticks) = axis(3.0, Scale::Count);
        assert_eq!((top, ticks.len()), (3.0, 4));
        assert_eq!(tick_label(0.5, 0.1, Scale::Amount), "0.5");
        assert_eq!(tick_label(12_500.0, 2_500.0, Scale::Amount), "12,500");
        assert_eq!(axis(0.0, Scale::Amount).0, 1.0);
    }

    #[test]
    fn one_slot_per_bar_and_labels_escaped() {
        let bars_in = [
            Bar {
                label: "<b>区</b>".into(),
                value: 3.0,
                color: palette::BAR,
            },
            Bar {
                label: "B".into(),
                value: 1.0,
                color: palette::BAR,
            },
        ];
        let svg = bars("t & t", "人", &bars_in, Scale::Count)
            .unwrap()
            .to_string();
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(
            svg.contains("&#60;b&#62;") || svg.contains("&lt;b&gt;"),
            "{svg}"
        );
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("t &#38; t") || svg.contains("t &amp; t"));
    }

    #[test]
    fn a_legend_key_per_series_below_the_plot() {
        let s = |n: &str, i| Series {
            name: n.into(),
            color: palette::series(i),
            values: vec![Some(100.0), Some(50.0), None],
        };
        let svg = lines(
            "t",
            "%",
            &["a".into(), "b".into(), "c".into()],
            &[s("x", 0), s("y", 1)],
            Scale::Percent,
        )
        .unwrap()
        .to_string();
        assert_eq!(svg.matches("<polyline").count(), 2);
        // Two points each: the missing value leaves a gap.
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains(">100%<"));
    }
}
