//! The reports tab: per campaign, per program, and the brand's whole
//! analytics report, with CSV and JSON downloads.

use crate::State;
use crate::base::Viewer;
use crate::chart::chart;
use crate::error::DashboardError;
use crate::format;
use crate::page::{Tab, layout};
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use maud::{Markup, html};
use serde::Deserialize;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{PostState, ScopeKind};
use socialsync_core::ids::ScopeId;
use socialsync_core::metrics::Metric;
use socialsync_core::report::BucketSize;
use socialsync_core::report::{
    Figures, Report, ReportError, ReportRange, analytics_report, scope_report,
};
use std::sync::Arc;

/// `GET /reports`: the brand's programs and campaigns.
pub(crate) async fn index(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
) -> Result<Html<String>, DashboardError> {
    let scopes = state.store.list_scopes(viewer.brand.id).await?;
    let (programs, campaigns): (Vec<_>, Vec<_>) = scopes
        .iter()
        .partition(|s| matches!(s.kind, ScopeKind::Program));
    let list = |title: &str, id: &str, items: &[&socialsync_core::domain::Scope]| {
        html! {
            section aria-labelledby=(id) {
                h3 #(id) { (title) }
                @if items.is_empty() {
                    p.muted { "None." }
                } @else {
                    table.scopes {
                        thead { tr {
                            th scope="col" { "Name" }
                            th scope="col" { "Hashtags" }
                            th scope="col" { "Creators" }
                            th scope="col" { "Window" }
                            th scope="col" { "Downloads" }
                        } }
                        tbody {
                            @for s in items {
                                tr {
                                    td { a href=(viewer.url(&format!("/reports/{}", s.id.get()))) { (s.name) } }
                                    td { @for (i, h) in s.hashtags.iter().enumerate() { @if i > 0 { ", " } "#" (h.written()) } }
                                    td { (s.members.len()) }
                                    td {
                                        @match s.window() {
                                            Some(w) => {
                                                (w.starts_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "…".into()))
                                                " → "
                                                (w.ends_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "…".into()))
                                            }
                                            None => span.muted { "—" },
                                        }
                                    }
                                    td {
                                        a href=(viewer.url(&format!("/reports/{}/csv", s.id.get()))) download { "CSV" }
                                        " · "
                                        a href=(viewer.url(&format!("/reports/{}/json", s.id.get()))) download { "JSON" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let panel = html! {
        div.panel-head { h2 { "Reports" } }
        p.hint { "Totals, growth, breakdowns by platform and creator, a time series with disconnection gaps, and posts by state. Every report downloads as CSV or JSON." }
        p {
            a.button href=(viewer.url("/reports/all")) { "Whole brand: every program and campaign" }
            " "
            a href=(viewer.url("/reports/all/csv")) download { "CSV" }
            " · "
            a href=(viewer.url("/reports/all/json")) download { "JSON" }
        }
        (list("Creator programs", "programs", &programs))
        (list("Campaigns", "campaigns", &campaigns))
    };
    Ok(layout(&viewer, Tab::Reports, "Reports", panel))
}

/// A report's query: range, bucket size, charted metric.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct ReportParams {
    /// Start: `YYYY-MM-DD` or RFC 3339 (default: 7 days, or 48 hours, before
    /// `to`, and not before the first instant a report covers).
    from: Option<String>,
    /// End (exclusive): `YYYY-MM-DD` or RFC 3339 (default: the end of the current day or hour).
    to: Option<String>,
    /// `day` (default) or `hour`.
    bucket: Option<String>,
    /// The charted metric (default `views`).
    metric: Option<String>,
}

impl ReportParams {
    fn query_string(&self, range: &ReportRange, metric: Metric) -> String {
        format!(
            "from={}&to={}&bucket={}&metric={}",
            enc(&instant_text(range.from())),
            enc(&instant_text(range.to())),
            bucket_name(range.bucket()),
            metric.name()
        )
    }
}

fn enc(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

fn bucket_name(b: BucketSize) -> &'static str {
    match b {
        BucketSize::Hour => "hour",
        BucketSize::Day => "day",
    }
}

/// An instant of the query: a date (`YYYY-MM-DD`, midnight UTC) or an RFC
/// 3339 instant; a year before 0 or after 9999 carries its sign
/// (`-4713-11-24`, `+262142-12-31T00:00:00Z`, as the page writes them).
/// An instant outside what a [`Timestamp`] holds is refused, never moved to
/// the nearest one.
fn parse_instant(name: &str, s: &str) -> Result<Timestamp, DashboardError> {
    let s = s.trim();
    let parsed = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .or_else(|_| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)))
        .or_else(|_| s.parse::<DateTime<Utc>>())
        .map_err(|_| {
            DashboardError::BadRequest(format!(
                "`{name}` must be a date (YYYY-MM-DD) or an RFC 3339 instant, not `{s}`"
            ))
        })?;
    if parsed < Timestamp::MIN.as_datetime() || parsed > Timestamp::MAX.as_datetime() {
        return Err(ReportError::InvalidRange(format!(
            "`{name}` ({s}) is outside the instants a report can cover, {} to {}",
            instant_text(Timestamp::MIN),
            instant_text(Timestamp::MAX)
        ))
        .into());
    }
    Ok(parsed.into())
}

/// An instant as the page writes it (and [`parse_instant`] reads it back).
fn instant_text(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The range of `p`, defaulting around `now`.
fn range_of(p: &ReportParams, now: Timestamp) -> Result<ReportRange, DashboardError> {
    let bucket = match p.bucket.as_deref() {
        None | Some("") | Some("day") => BucketSize::Day,
        Some("hour") => BucketSize::Hour,
        Some(other) => {
            return Err(DashboardError::BadRequest(format!(
                "`bucket` must be `day` or `hour`, not `{other}`"
            )));
        }
    };
    let len = bucket.duration();
    let to = match p.to.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_instant("to", s)?,
        None => {
            // The end of the current bucket.
            let micros = len.num_microseconds().unwrap_or(i64::MAX);
            let t = now.timestamp_micros();
            let end = t - t.rem_euclid(micros) + micros;
            Timestamp::from_micros(end).unwrap_or(now)
        }
    };
    let from = match p.from.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_instant("from", s)?,
        None => match bucket {
            BucketSize::Day => to - TimeDelta::days(7),
            BucketSize::Hour => to - TimeDelta::hours(48),
        },
    };
    Ok(ReportRange::new(from, to, bucket)?)
}

fn metric_of(p: &ReportParams) -> Result<Metric, DashboardError> {
    match p.metric.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(Metric::Views),
        Some(name) => Metric::from_name(name)
            .filter(|m| m.is_counter())
            .ok_or_else(|| {
                DashboardError::BadRequest(format!("`metric`: no counter named `{name}`"))
            }),
    }
}

/// Which report a path names.
#[derive(Debug, Clone, Copy)]
enum Key {
    All,
    Scope(ScopeId),
}

fn key_of(key: &str) -> Result<Key, DashboardError> {
    if key == "all" {
        return Ok(Key::All);
    }
    key.parse::<i64>()
        .map(|id| Key::Scope(ScopeId(id)))
        .map_err(|_| DashboardError::NotFound(format!("report `{key}`")))
}

async fn build(
    state: &State,
    viewer: &Viewer,
    key: &str,
    p: &ReportParams,
) -> Result<(Report, ReportRange), DashboardError> {
    let range = range_of(p, state.clock.now())?;
    let report = match key_of(key)? {
        Key::All => analytics_report(&*state.store, viewer.brand.id, range).await?,
        Key::Scope(id) => scope_report(&*state.store, viewer.brand.id, id, range).await?,
    };
    Ok((report, range))
}

fn file_name(key: &str, range: &ReportRange, ext: &str) -> String {
    let key: String = key.chars().filter(char::is_ascii_alphanumeric).collect();
    format!(
        "socialsync-report-{key}-{}-{}.{ext}",
        range.from().format("%Y%m%dT%H%M"),
        range.to().format("%Y%m%dT%H%M")
    )
}

fn download(body: String, content_type: &'static str, name: &str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// `GET /reports/{key}/csv`.
pub(crate) async fn csv(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
    Path(key): Path<String>,
    Query(p): Query<ReportParams>,
) -> Result<Response, DashboardError> {
    let (report, range) = build(&state, &viewer, &key, &p).await?;
    Ok(download(
        report.to_csv(),
        "text/csv; charset=utf-8",
        &file_name(&key, &range, "csv"),
    ))
}

/// `GET /reports/{key}/json`.
pub(crate) async fn json(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
    Path(key): Path<String>,
    Query(p): Query<ReportParams>,
) -> Result<Response, DashboardError> {
    let (report, range) = build(&state, &viewer, &key, &p).await?;
    Ok(download(
        report.to_json(),
        "application/json",
        &file_name(&key, &range, "json"),
    ))
}

/// `GET /reports/{key}`.
pub(crate) async fn show(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
    Path(key): Path<String>,
    Query(p): Query<ReportParams>,
) -> Result<Html<String>, DashboardError> {
    let metric = metric_of(&p)?;
    let (report, range) = build(&state, &viewer, &key, &p).await?;
    let title = match &report.scope {
        Some(s) => s.name.clone(),
        None => format!("{}: every program and campaign", viewer.brand.name),
    };
    let qs = p.query_string(&range, metric);
    let hourly = range.bucket() == BucketSize::Hour;
    let gaps = gaps(&report);
    let panel = html! {
        div.panel-head {
            h2 { "Report: " (title) }
            p { a href=(viewer.url("/reports")) { "← All reports" } }
        }
        form.range method="get" action=(viewer.url(&format!("/reports/{key}"))) {
            label { "From " input type="text" name="from" value=(instant_text(range.from())); }
            label { "To " input type="text" name="to" value=(instant_text(range.to())); }
            label { "Buckets "
                select name="bucket" {
                    option value="day" selected[!hourly] { "days" }
                    option value="hour" selected[hourly] { "hours" }
                }
            }
            label { "Chart "
                select name="metric" {
                    @for m in Metric::ALL.into_iter().filter(|m| m.is_counter()) {
                        option value=(m.name()) selected[m == metric] { (m.name()) }
                    }
                }
            }
            button type="submit" { "Show" }
        }
        p.downloads {
            "Download: "
            a #download-csv href=(viewer.url(&format!("/reports/{key}/csv?{qs}"))) download { "CSV" }
            " · "
            a #download-json href=(viewer.url(&format!("/reports/{key}/json?{qs}"))) download { "JSON" }
        }
        section aria-labelledby="totals-title" {
            h3 #totals-title { "Totals" }
            (totals(&report.figures))
        }
        section aria-labelledby="series-title" {
            h3 #series-title { "Over time" }
            (chart(&report.series, metric, hourly))
            @if gaps.is_empty() {
                p.muted #gaps { "No disconnection during this range." }
            } @else {
                ul #gaps .gaps {
                    @for (from, to) in &gaps {
                        li { span aria-hidden="true" { "✕ " } "Disconnected between " (format::time(*from)) " and " (format::time(*to))
                            ": values there are as read, never interpolated; the growth during the gap shows in the next bucket." }
                    }
                }
            }
        }
        details.series {
            summary { "The series as a table" }
            table #series-table {
                thead { tr {
                    th scope="col" { "Bucket start" }
                    th scope="col" { (metric.name()) " as of the end" }
                    th scope="col" { (metric.name()) " growth" }
                    th scope="col" { "Connection" }
                } }
                tbody {
                    @for b in &report.series {
                        tr .disconnected[b.disconnected] {
                            td { (format::time(b.start)) }
                            td { (b.as_of.get(&metric).map_or_else(|| "—".to_owned(), |v| format::group_i128(*v))) }
                            td { (b.growth.get(&metric).map_or_else(|| "—".to_owned(), |v| format::group_i128(*v))) }
                            td {
                                @if b.disconnected { "disconnected during this bucket" }
                                @else if b.after_gap { "first bucket after a gap: its growth includes the gap" }
                                @else if b.deleted { "a post was deleted or hidden: its last reading is carried" }
                                @else { span.muted { "—" } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="states-title" {
            h3 #states-title { "Posts by state" }
            table.states #posts-by-state {
                thead { tr { @for s in STATES { th scope="col" { (s.as_str()) } } th scope="col" { "total" } } }
                tbody { tr { @for s in STATES { td { (report.posts_by_state.get(s)) } } td { (report.posts_by_state.total()) } } }
            }
        }
        section aria-labelledby="platforms-title" {
            h3 #platforms-title { "By platform" }
            (breakdown("Platform", report.by_platform.iter().map(|p| (p.platform.as_str().to_owned(), &p.figures))))
        }
        section aria-labelledby="creators-title" {
            h3 #creators-title { "By creator" }
            (breakdown("Creator", report.by_creator.iter().map(|c| (c.name.clone(), &c.figures))))
        }
        section aria-labelledby="posts-title" {
            h3 #posts-title { "Posts" }
            (posts(&report))
        }
    };
    Ok(layout(
        &viewer,
        Tab::Reports,
        &format!("Report: {title}"),
        panel,
    ))
}

const STATES: [PostState; 4] = [
    PostState::Monitoring,
    PostState::Paused,
    PostState::Expired,
    PostState::Deleted,
];

/// The headline counters, in this order, when present.
const SHOWN: [Metric; 6] = [
    Metric::Views,
    Metric::Likes,
    Metric::Comments,
    Metric::Shares,
    Metric::Saves,
    Metric::Reach,
];

fn totals(f: &Figures) -> Markup {
    html! {
        dl.figures {
            dt { "Posts" } dd { (f.posts) }
            dt { "Engagement" } dd { (f.engagement.map_or_else(|| "—".to_owned(), format::group_i128)) }
            dt { "Engagement rate" }
            dd { @match &f.engagement_rate {
                Some(r) => { (r.display) " " span.muted { "(" (r.numerator) " / " (r.denominator) ")" } }
                None => "—",
            } }
        }
        table.totals #totals {
            thead { tr {
                th scope="col" { "Metric" }
                th scope="col" { "Total" }
                th scope="col" { "Growth in range" }
                th scope="col" { "Posts reporting" }
                th scope="col" { "Stale" }
            } }
            tbody {
                @for (m, t) in &f.totals {
                    tr data-metric=(m.name()) {
                        th scope="row" { (m.name()) }
                        td { (format::group_i128(t.value)) }
                        td { (f.growth.get(m).map_or_else(|| "—".to_owned(), |g| format::group_i128(*g))) }
                        td { (t.posts) }
                        td { (t.stale_posts) }
                    }
                }
            }
        }
    }
}

fn breakdown<'a>(what: &str, rows: impl Iterator<Item = (String, &'a Figures)>) -> Markup {
    let rows: Vec<_> = rows.collect();
    html! {
        @if rows.is_empty() {
            p.muted { "No posts." }
        } @else {
            table.breakdown {
                thead { tr {
                    th scope="col" { (what) }
                    th scope="col" { "Posts" }
                    @for m in SHOWN { th scope="col" { (m.name()) } }
                    th scope="col" { "Engagement rate" }
                } }
                tbody {
                    @for (name, f) in &rows {
                        tr {
                            th scope="row" { (name) }
                            td { (f.posts) }
                            @for m in SHOWN { td { (f.totals.get(&m).map_or_else(|| "—".to_owned(), |t| format::group_i128(t.value))) } }
                            td { (f.engagement_rate.as_ref().map_or("—", |r| r.display.as_str())) }
                        }
                    }
                }
            }
        }
    }
}

fn posts(report: &Report) -> Markup {
    html! {
        @if report.by_post.is_empty() {
            p.muted { "No posts." }
        } @else {
            table.posts #report-posts {
                thead { tr {
                    th scope="col" { "Creator" }
                    th scope="col" { "Platform" }
                    th scope="col" { "Post" }
                    th scope="col" { "Published" }
                    th scope="col" { "State" }
                    @for m in SHOWN { th scope="col" { (m.name()) } }
                } }
                tbody {
                    @for p in &report.by_post {
                        tr {
                            td { (p.creator_name) }
                            td { (p.platform.as_str()) }
                            td {
                                @match p.permalink.as_deref().filter(|l| l.starts_with("https://") || l.starts_with("http://")) {
                                    Some(link) => a href=(link) rel="noopener noreferrer nofollow" { (p.platform_post_id.as_str()) },
                                    None => code { (p.platform_post_id.as_str()) },
                                }
                            }
                            td { (format::time(p.published_at)) }
                            td { (p.state.as_str()) }
                            @for m in SHOWN {
                                td {
                                    (format::value(p.metrics.get(m)))
                                    @if p.stale.contains(&m) { " " abbr title="stale: the latest reading lacked it" { "(stale)" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The disconnection gaps of the series, merged: `[start, end)` of each run
/// of disconnected buckets.
fn gaps(report: &Report) -> Vec<(Timestamp, Timestamp)> {
    let mut out: Vec<(Timestamp, Timestamp)> = Vec::new();
    for b in report.series.iter().filter(|b| b.disconnected) {
        match out.last_mut() {
            Some((_, end)) if *end == b.start => *end = b.end,
            _ => out.push((b.start, b.end)),
        }
    }
    out
}
