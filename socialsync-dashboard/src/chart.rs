//! The report's time-series chart, rendered on the server as inline SVG.
//!
//! One metric's as-of total per bucket as a line with a point per bucket;
//! buckets during which a connection was down are shaded and hatched (their
//! values are what was read, never interpolated), and the first bucket after
//! a gap carries a marker: its growth holds what accumulated during the gap.

use crate::format;
use maud::{Markup, html};
use socialsync_core::metrics::Metric;
use socialsync_core::report::SeriesBucket;

const W: f64 = 760.0;
const H: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// The chart of `metric` over `series`.
pub(crate) fn chart(series: &[SeriesBucket], metric: Metric, hourly: bool) -> Markup {
    let values: Vec<Option<i128>> = series
        .iter()
        .map(|b| b.as_of.get(&metric).copied())
        .collect();
    let max = values.iter().flatten().copied().max().unwrap_or(0).max(1);
    let min = values.iter().flatten().copied().min().unwrap_or(0).min(0);
    let span = (max - min).max(1) as f64;
    let n = series.len().max(1);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let step = plot_w / n as f64;
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
    let y = |v: i128| TOP + plot_h - ((v - min) as f64 / span) * plot_h;
    let mut path = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                path.push_str(&format!(
                    "{}{:.1},{:.1} ",
                    if pen_down { "L" } else { "M" },
                    x(i),
                    y(*v)
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    let label_every = (n / 8).max(1);
    let gaps = series.iter().filter(|b| b.disconnected).count();
    let description = format!(
        "{} as of the end of each of {} {} buckets, from {} to {}; peak {}.{}",
        metric.name(),
        series.len(),
        if hourly { "hourly" } else { "daily" },
        series
            .first()
            .map(|b| b.start.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        series
            .last()
            .map(|b| b.end.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        format::group_i128(values.iter().flatten().copied().max().unwrap_or(0)),
        if gaps > 0 {
            format!(" {gaps} bucket(s) fall inside a disconnection (hatched).")
        } else {
            String::new()
        }
    );
    html! {
        figure.chart {
            svg #report-chart xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {W} {H}"))
                role="img" aria-labelledby="chart-title chart-desc" {
                title #chart-title { (metric.name()) " over time" }
                desc #chart-desc { (description) }
                defs {
                    pattern #gap-hatch width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                        rect width="8" height="8" fill="#f1e4e4" {}
                        line x1="0" y1="0" x2="0" y2="8" stroke="#b46a6a" stroke-width="3" {}
                    }
                }
                // Axes.
                line x1=(LEFT) y1=(TOP + plot_h) x2=(W - RIGHT) y2=(TOP + plot_h) stroke="#555" {}
                line x1=(LEFT) y1=(TOP) x2=(LEFT) y2=(TOP + plot_h) stroke="#555" {}
                text x=(LEFT - 6.0) y=(TOP + 4.0) text-anchor="end" font-size="11" { (format::group_i128(max)) }
                text x=(LEFT - 6.0) y=(TOP + plot_h) text-anchor="end" font-size="11" { (format::group_i128(min)) }
                // Disconnection gaps.
                @for (i, b) in series.iter().enumerate() {
                    @if b.disconnected {
                        rect.gap x=(format!("{:.1}", LEFT + step * i as f64)) y=(TOP)
                            width=(format!("{:.1}", step)) height=(plot_h) fill="url(#gap-hatch)" {
                            title { "Disconnected during " (b.start.format("%Y-%m-%d %H:%M")) "–" (b.end.format("%H:%M")) }
                        }
                    }
                }
                // Bucket labels.
                @for (i, b) in series.iter().enumerate() {
                    @if i % label_every == 0 {
                        text x=(format!("{:.1}", x(i))) y=(H - BOTTOM + 16.0) text-anchor="middle" font-size="11" {
                            (if hourly { b.start.format("%d %H:00").to_string() } else { b.start.format("%m-%d").to_string() })
                        }
                    }
                }
                path d=(path.trim_end()) fill="none" stroke="#1f6f43" stroke-width="2" {}
                @for (i, v) in values.iter().enumerate() {
                    @if let Some(v) = v {
                        @let after_gap = series[i].after_gap;
                        circle.point .after-gap[after_gap] cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*v)))
                            r=(if after_gap { "5" } else { "3" })
                            fill=(if after_gap { "#b46a6a" } else { "#1f6f43" }) {
                            title {
                                (series[i].start.format("%Y-%m-%d %H:%M")) ": " (format::group_i128(*v))
                                @if after_gap { " (first bucket after a disconnection: includes the growth during the gap)" }
                            }
                        }
                    }
                }
            }
            figcaption {
                (description)
                @if gaps > 0 { " Hatched: disconnected." }
                @if series.iter().any(|b| b.after_gap) { " Large red points: first bucket after a gap (its growth includes the gap)." }
            }
        }
    }
}
