//! Exports of a [`Report`]: JSON (the report as a whole) and CSV.

use super::Report;
use crate::metrics::Metric;
use std::borrow::Cow;

/// The CSV record separator (RFC 4180).
const CRLF: &str = "\r\n";

impl Report {
    /// The report as one JSON object, with stable snake_case field names
    /// (metrics keyed by [`Metric::name`], instants in RFC 3339).
    pub fn to_json(&self) -> String {
        // Every key is a string or a metric name and every value a plain
        // number, string, bool or null: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("report to JSON: {e}"))
    }

    /// The report as CSV (RFC 4180, CRLF line ends), in two tables separated
    /// by an empty line:
    ///
    /// 1. one row per post: `creator, platform, post_id, permalink,
    ///    published, state`, then each metric by its [`Metric::ALL`] name
    ///    (gauges included; empty when absent), then `stale` (the stale
    ///    metrics' names, space-separated);
    /// 2. one row per bucket of the series: `bucket_start, bucket_end`, then
    ///    `<metric>_as_of` and `<metric>_growth` for each counter (empty when
    ///    no post reports it), then `disconnected, after_gap, deleted`.
    ///
    /// Text that comes from outside (creator names, post ids, permalinks) is
    /// escaped so it can never break the format: a field holding a comma, a
    /// quote, CR or LF is quoted and its quotes doubled. It is also
    /// neutralised against spreadsheet formula injection: a text field that
    /// starts with `=`, `+`, `-`, `@`, a tab or CR gets a leading apostrophe
    /// (`'`), so a spreadsheet shows it as text instead of evaluating it.
    /// Numbers and the report's own words are written as they are (a
    /// negative growth stays `-5`).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        self.write_posts_csv(&mut out);
        out.push_str(CRLF);
        self.write_series_csv(&mut out);
        out
    }

    fn write_posts_csv(&self, out: &mut String) {
        let mut header: Vec<Cow<'_, str>> = [
            "creator",
            "platform",
            "post_id",
            "permalink",
            "published",
            "state",
        ]
        .into_iter()
        .map(Cow::Borrowed)
        .collect();
        header.extend(Metric::ALL.iter().map(|m| Cow::Borrowed(m.name())));
        header.push(Cow::Borrowed("stale"));
        write_row(out, header);
        for p in &self.by_post {
            let mut row: Vec<Cow<'_, str>> = vec![
                text(&p.creator_name),
                Cow::Borrowed(p.platform.as_str()),
                text(p.platform_post_id.as_str()),
                p.permalink.as_deref().map(text).unwrap_or_default(),
                Cow::Owned(p.published_at.to_rfc3339()),
                Cow::Borrowed(p.state.as_str()),
            ];
            row.extend(Metric::ALL.iter().map(|m| {
                p.metrics
                    .get(*m)
                    .map(|v| v.to_string())
                    .unwrap_or_default()
                    .into()
            }));
            let stale: Vec<&str> = p.stale.iter().map(|m| m.name()).collect();
            row.push(Cow::Owned(stale.join(" ")));
            write_row(out, row);
        }
    }

    fn write_series_csv(&self, out: &mut String) {
        let counters: Vec<Metric> = Metric::ALL.into_iter().filter(|m| m.is_counter()).collect();
        let mut header: Vec<Cow<'_, str>> = vec!["bucket_start".into(), "bucket_end".into()];
        for m in &counters {
            header.push(format!("{}_as_of", m.name()).into());
            header.push(format!("{}_growth", m.name()).into());
        }
        header.push("disconnected".into());
        header.push("after_gap".into());
        header.push("deleted".into());
        write_row(out, header);
        for b in &self.series {
            let mut row: Vec<Cow<'_, str>> =
                vec![b.start.to_rfc3339().into(), b.end.to_rfc3339().into()];
            for m in &counters {
                let cell = |v: Option<&i128>| v.map(|v| v.to_string()).unwrap_or_default();
                row.push(cell(b.as_of.get(m)).into());
                row.push(cell(b.growth.get(m)).into());
            }
            row.push(b.disconnected.to_string().into());
            row.push(b.after_gap.to_string().into());
            row.push(b.deleted.to_string().into());
            write_row(out, row);
        }
    }
}

/// Writes one record: fields escaped, comma-separated, CRLF-terminated.
fn write_row<'a>(out: &mut String, fields: impl IntoIterator<Item = Cow<'a, str>>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&escape(&f));
    }
    out.push_str(CRLF);
}

/// A text field from outside, neutralised against formula injection: one
/// starting with `=`, `+`, `-`, `@`, a tab or CR gets a leading apostrophe.
fn text(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// RFC 4180 escaping: a field holding a comma, a quote, CR or LF is quoted,
/// its quotes doubled; others are written as they are.
fn escape(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_are_written_as_they_are() {
        assert_eq!(
            escape("https://example.test/p/1"),
            "https://example.test/p/1"
        );
        assert_eq!(escape(""), "");
    }

    #[test]
    fn special_fields_are_quoted_with_quotes_doubled() {
        assert_eq!(escape("a,b"), "\"a,b\"");
        assert_eq!(escape("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(escape("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(escape("cr\rhere"), "\"cr\rhere\"");
    }

    #[test]
    fn formula_like_text_is_neutralised() {
        for s in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text(s), format!("'{s}"));
        }
        assert_eq!(text("Ana"), "Ana");
        assert_eq!(text("a=b"), "a=b");
    }
}
