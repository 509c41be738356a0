//! How values read on the page.

use chrono::TimeDelta;
use maud::{Markup, html};
use socialsync_core::clock::Timestamp;
use socialsync_core::events::MetricChange;

/// `2026-03-01 12:00:05 UTC` in a `<time>` element.
pub(crate) fn time(t: Timestamp) -> Markup {
    html! {
        time datetime=(t.to_rfc3339()) { (t.format("%Y-%m-%d %H:%M:%S UTC")) }
    }
}

/// An optional instant, or `never`.
pub(crate) fn time_or(t: Option<Timestamp>, none: &str) -> Markup {
    match t {
        Some(t) => time(t),
        None => html! { span.muted { (none) } },
    }
}

/// `3 h 20 min` (coarse, for "how long ago").
pub(crate) fn duration(d: TimeDelta) -> String {
    let mins = d.num_minutes().max(0);
    match mins {
        0 => "under a minute".to_owned(),
        1..=59 => format!("{mins} min"),
        60..=2879 => format!("{} h {} min", mins / 60, mins % 60),
        _ => format!("{} days", mins / 1440),
    }
}

/// A value or `—` (absent).
pub(crate) fn value(v: Option<u64>) -> String {
    v.map_or_else(|| "—".to_owned(), group)
}

/// `1 234 567`.
pub(crate) fn group(v: u64) -> String {
    group_i128(i128::from(v))
}

/// `-1 234` for signed sums.
pub(crate) fn group_i128(v: i128) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// `views 10 → 25`.
pub(crate) fn change(c: &MetricChange) -> String {
    format!("{} {} → {}", c.metric.name(), value(c.old), value(c.new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1\u{202f}000");
        assert_eq!(group_i128(-1_234_567), "-1\u{202f}234\u{202f}567");
    }
}
