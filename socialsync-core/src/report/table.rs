//! A plain-text rendering of a [`Report`] for terminals and logs.

use super::{Figures, Report};
use crate::metrics::Metric;
use std::fmt::Write;

const SHOWN: [Metric; 5] = [
    Metric::Views,
    Metric::Likes,
    Metric::Comments,
    Metric::Shares,
    Metric::Saves,
];

fn row(out: &mut String, label: &str, f: &Figures) {
    let _ = write!(out, "{label:<24}{:>6}", f.posts);
    for m in SHOWN {
        match f.totals.get(&m) {
            Some(t) => {
                let _ = write!(out, "{:>12}", t.value);
            }
            None => {
                let _ = write!(out, "{:>12}", "—");
            }
        }
    }
    let rate = f
        .engagement_rate
        .as_ref()
        .map_or("—", |r| r.display.as_str());
    let _ = writeln!(out, "{rate:>10}");
}

impl Report {
    /// The totals and breakdowns as an aligned text table: one line for the
    /// whole report, then one per platform and per creator, then the posts
    /// by state and the buckets marked as disconnected.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let title = self
            .scope
            .as_ref()
            .map_or("analytics (all scopes)", |s| s.name.as_str());
        let _ = writeln!(
            out,
            "report: {title}  [{} .. {})",
            self.from.format("%Y-%m-%d %H:%M"),
            self.to.format("%Y-%m-%d %H:%M")
        );
        let _ = write!(out, "{:<24}{:>6}", "", "posts");
        for m in SHOWN {
            let _ = write!(out, "{:>12}", m.name());
        }
        let _ = writeln!(out, "{:>10}", "eng.rate");
        row(&mut out, "total", &self.figures);
        for p in &self.by_platform {
            row(&mut out, &format!("  {}", p.platform), &p.figures);
        }
        for c in &self.by_creator {
            row(&mut out, &format!("  {}", c.name), &c.figures);
        }
        let s = &self.posts_by_state;
        let _ = writeln!(
            out,
            "posts: {} monitoring, {} paused, {} expired, {} deleted",
            s.monitoring, s.paused, s.expired, s.deleted
        );
        let gaps = self.series.iter().filter(|b| b.disconnected).count();
        let _ = writeln!(
            out,
            "buckets inside a disconnection: {gaps} of {}",
            self.series.len()
        );
        out
    }
}
