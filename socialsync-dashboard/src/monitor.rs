//! The scan monitor: the latest scans of the brand's posts, live.
//!
//! The page renders the newest rows the store still keeps, then its script
//! opens `events?after=<newest id>`: a server-sent event stream of rendered
//! rows whose SSE ids are the store's event ids, so a browser that loses the
//! connection resumes after the last row it got (`Last-Event-ID`), with no
//! gap and no duplicate. Every open tab has its own stream.

use crate::State;
use crate::base::Viewer;
use crate::error::DashboardError;
use crate::format;
use crate::page::{Tab, layout};
use crate::visibility::CreatorNames;
use axum::extract::{Query, State as AxState};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use maud::{Markup, html};
use serde::Deserialize;
use socialsync_core::events::{
    ConnectionChange, ConnectionEvent, Event, EventStream, ScanEvent, ScanOutcome, StoredEvent,
};
use socialsync_core::ids::{BrandId, EventId};
use socialsync_core::store::TrackingStore;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// `GET /` and `GET /monitor`.
pub(crate) async fn page(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
) -> Result<Html<String>, DashboardError> {
    // The newest id first, and no row past it: an event published between
    // the two reads comes with the stream, once.
    let last = state.store.newest_event_id().await?;
    let mut rows = state
        .store
        .latest_events(viewer.brand.id, state.monitor_rows)
        .await?;
    rows.retain(|e| last.is_some_and(|l| e.id <= l));
    let mut names = CreatorNames::default();
    let mut rendered = Vec::with_capacity(rows.len());
    for e in rows.iter().rev() {
        rendered.push(row(e, &names_for(&mut names, &*state.store, e).await));
    }
    let stream = match last {
        Some(id) => viewer.url(&format!("/events?after={}", id.get())),
        None => viewer.url("/events?after=0"),
    };
    let panel = html! {
        div.panel-head {
            h2 { "Scan monitor" }
            p #live-status .status role="status" aria-live="polite" { "Connecting…" }
        }
        p.hint {
            "The latest scans of your creators' posts, newest first (at most "
            (state.monitor_rows) " rows). A row marked "
            strong { "▲ Changed" } " read new metric values; it arrives highlighted and marked "
            strong { "★ New" } " for a few seconds."
        }
        p #lag-notice .notice hidden { "Some scans were skipped while this page was busy." }
        table.monitor {
            caption.visually-hidden { "Latest scans, newest first" }
            thead {
                tr {
                    th scope="col" { "When" }
                    th scope="col" { "Creator" }
                    th scope="col" { "Platform" }
                    th scope="col" { "Post" }
                    th scope="col" { "Outcome" }
                    th scope="col" { "Changed metrics (old → new)" }
                }
            }
            tbody #monitor-rows data-stream=(stream) data-max=(state.monitor_rows)
                data-highlight-ms=(state.highlight_ms) {
                @for r in &rendered { (r) }
            }
        }
        @if rendered.is_empty() {
            p #monitor-empty .muted { "No scans yet. Rows appear here as soon as posts are scanned." }
        }
    };
    Ok(layout(&viewer, Tab::Monitor, "Scan monitor", panel))
}

async fn names_for(names: &mut CreatorNames, store: &dyn TrackingStore, e: &StoredEvent) -> String {
    let creator = match &e.event {
        Event::Scan(s) => s.creator,
        Event::Connection(c) => c.creator,
        _ => return String::new(),
    };
    names.get(store, creator).await
}

/// One row of the monitor.
pub(crate) fn row(e: &StoredEvent, creator: &str) -> Markup {
    match &e.event {
        Event::Scan(s) => scan_row(e.id, s, creator),
        Event::Connection(c) => connection_row(e.id, c, creator),
        // A kind of event this dashboard does not know yet is not shown.
        _ => html! {},
    }
}

fn scan_row(id: EventId, s: &ScanEvent, creator: &str) -> Markup {
    let changed = s.outcome == ScanOutcome::Changed && !s.changes.is_empty();
    let (icon, word) = match s.outcome {
        ScanOutcome::Changed => ("▲", "Changed"),
        ScanOutcome::Unchanged => ("•", "Unchanged"),
        ScanOutcome::Deleted => ("✕", "Deleted on the platform"),
        ScanOutcome::Expired => ("■", "Window ended"),
        _ => ("•", "Scanned"),
    };
    html! {
        tr #(format!("ev-{}", id.get())) .scan .changed[changed] data-outcome=(outcome_name(s.outcome)) {
            td { (format::time(s.at)) }
            td { (creator) }
            td { (s.platform.as_str()) }
            td { code { (s.platform_post_id.as_str()) } }
            td.outcome {
                span.icon aria-hidden="true" { (icon) } " " (word)
                span.fresh-mark { " ★ New" }
            }
            td {
                @if s.changes.is_empty() {
                    span.muted { "—" }
                } @else {
                    ul.changes {
                        @for c in &s.changes { li { (format::change(c)) } }
                    }
                }
            }
        }
    }
}

fn outcome_name(o: ScanOutcome) -> &'static str {
    match o {
        ScanOutcome::Changed => "changed",
        ScanOutcome::Unchanged => "unchanged",
        ScanOutcome::Deleted => "deleted",
        ScanOutcome::Expired => "expired",
        _ => "other",
    }
}

fn connection_row(id: EventId, c: &ConnectionEvent, creator: &str) -> Markup {
    let what = match &c.change {
        ConnectionChange::Connected => "Connected".to_owned(),
        ConnectionChange::Disconnected { reason, .. } => format!("Disconnected: {reason}"),
        ConnectionChange::Reconnected => "Reconnected".to_owned(),
        ConnectionChange::Reset => "Connection reset (scanned data kept)".to_owned(),
        ConnectionChange::Refreshed => "Credentials refreshed".to_owned(),
        ConnectionChange::Degraded { missing } => {
            format!("Permissions missing: {}", missing.join(", "))
        }
        ConnectionChange::Suspect { unexplained } => format!(
            "{unexplained} posts missing, account post count unchanged: none deleted, checked again daily"
        ),
        _ => "Connection changed".to_owned(),
    };
    html! {
        tr #(format!("ev-{}", id.get())) .connection-event data-outcome="connection" {
            td { (format::time(c.at)) }
            td { (creator) }
            td { (c.platform.as_str()) }
            td { (c.handle) }
            td.outcome colspan="2" { span.icon aria-hidden="true" { "⚑" } " " (what) }
        }
    }
}

/// The stream's query.
#[derive(Debug, Deserialize)]
pub(crate) struct StreamQuery {
    /// Resume after this event id (a `Last-Event-ID` header wins).
    after: Option<i64>,
    /// `connection` for connection events only.
    only: Option<String>,
}

/// `GET /events`: the brand's events as server-sent events.
pub(crate) async fn events(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, DashboardError> {
    let after = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    DashboardError::BadRequest("Last-Event-ID must be an event id".into())
                })?,
        ),
        None => q.after,
    };
    let connections_only = match q.only.as_deref() {
        None => false,
        Some("connection") => true,
        Some(other) => {
            return Err(DashboardError::BadRequest(format!(
                "`only` must be `connection`, not `{other}`"
            )));
        }
    };
    let after = after.map(|a| EventId(a.max(0)));
    let live = state.store.subscribe_events(after).await?;
    let stream = rows(live, state.store.clone(), viewer.brand.id, connections_only);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The brand's events as SSE events carrying rendered rows.
fn rows(
    live: EventStream,
    store: Arc<dyn TrackingStore>,
    brand: BrandId,
    connections_only: bool,
) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let init = (live, store, CreatorNames::default());
    futures::stream::unfold(init, move |(mut live, store, mut names)| async move {
        loop {
            let item = live.next().await?;
            let e = match item {
                Ok(e) => e,
                Err(lag) => {
                    let sse = SseEvent::default()
                        .event("lagged")
                        .data(lag.missed.to_string());
                    return Some((Ok(sse), (live, store, names)));
                }
            };
            if !e.event.visible_to(brand) {
                continue;
            }
            let kind = match &e.event {
                Event::Scan(_) if connections_only => continue,
                Event::Scan(_) => "scan",
                Event::Connection(_) => "connection",
                // A kind of event this dashboard does not know yet.
                _ => continue,
            };
            let creator = names_for(&mut names, &*store, &e).await;
            let sse = SseEvent::default()
                .id(e.id.get().to_string())
                .event(kind)
                .data(row(&e, &creator).into_string());
            return Some((Ok(sse), (live, store, names)));
        }
    })
}
