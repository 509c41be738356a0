//! The active and disabled connections tabs, and resetting a connection.

use crate::State;
use crate::base::Viewer;
use crate::csrf::{Action, Grant};
use crate::error::DashboardError;
use crate::format;
use crate::page::{Tab, layout};
use crate::visibility::{connection_for, connections_of};
use axum::Form;
use axum::extract::{Path, Query, State as AxState};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{Connection, ConnectionStatus, Creator, PostState};
use socialsync_core::engine::EngineError;
use socialsync_core::error::StoreError;
use socialsync_core::ids::{BrandId, ConnectionId};
use socialsync_core::store::{EventLog, PostCatalog, PostFilter};
use std::sync::Arc;

/// The query of the connection tabs.
#[derive(Debug, Deserialize)]
pub(crate) struct PanelQuery {
    /// `1`: only the table, for the page's script to swap in.
    fragment: Option<u8>,
    /// The connection just reset (to say so).
    reset: Option<i64>,
}

/// What the tabs show of one connection's posts (those counting for the brand).
struct PostFigures {
    monitored: u64,
    kept: u64,
    last_scan: Option<Timestamp>,
    oldest_overdue: Option<Timestamp>,
}

async fn figures(
    store: &dyn PostCatalog,
    brand: BrandId,
    c: &Connection,
    overdue_before: Timestamp,
) -> Result<PostFigures, DashboardError> {
    let posts = store
        .list_posts(PostFilter {
            connection: Some(c.id),
            brand: Some(brand),
            ..PostFilter::default()
        })
        .await?;
    let monitoring = || posts.iter().filter(|p| p.state == PostState::Monitoring);
    Ok(PostFigures {
        monitored: monitoring().count() as u64,
        kept: posts.len() as u64,
        last_scan: posts.iter().filter_map(|p| p.last_scanned_at).max(),
        oldest_overdue: monitoring()
            .filter_map(|p| p.next_scan_at)
            .filter(|t| *t < overdue_before)
            .min(),
    })
}

async fn panel_response(
    store: &dyn EventLog,
    viewer: &Viewer,
    tab: Tab,
    title: &str,
    q: &PanelQuery,
    intro: Markup,
    table: Markup,
) -> Result<Response, DashboardError> {
    if q.fragment == Some(1) {
        return Ok(Html(table.into_string()).into_response());
    }
    // The page's script follows connection changes from the newest event
    // this page was rendered after.
    let after = store.newest_event_id().await?.map_or(0, |id| id.get());
    let stream = viewer.url(&format!("/events?only=connection&after={after}"));
    let fragment = viewer.url(&format!(
        "{}?fragment=1",
        if tab == Tab::Active {
            "/active"
        } else {
            "/disabled"
        }
    ));
    let panel = html! {
        div.panel-head { h2 { (title) } }
        (intro)
        div #connections data-refresh-stream=(stream) data-fragment=(fragment) aria-live="polite" {
            (table)
        }
    };
    Ok(layout(viewer, tab, title, panel).into_response())
}

/// `GET /active`.
pub(crate) async fn active(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
    Query(q): Query<PanelQuery>,
) -> Result<Response, DashboardError> {
    let store = &*state.store;
    let now = state.clock.now();
    let overdue_before = now - state.lease;
    let mut rows = Vec::new();
    for (c, creator) in connections_of(store, viewer.brand.id).await? {
        if c.status.is_active() {
            let f = figures(store, viewer.brand.id, &c, overdue_before).await?;
            rows.push(active_row(&c, &creator, &f, now));
        }
    }
    let table = html! {
        @if rows.is_empty() {
            p.muted { "No active connections." }
        } @else {
            table.connections #active-connections {
                caption.visually-hidden { "Active connections" }
                thead { tr {
                    th scope="col" { "Creator" }
                    th scope="col" { "Platform" }
                    th scope="col" { "Account" }
                    th scope="col" { "Connected since" }
                    th scope="col" { "Last successful scan" }
                    th scope="col" { "Posts monitored" }
                    th scope="col" { "Health" }
                } }
                tbody { @for r in &rows { (r) } }
            }
        }
    };
    let intro = html! {
        p.hint { "Every working connection of your creators. Health counts failed calls since the last success and names the oldest post whose scan is overdue." }
    };
    panel_response(
        store,
        &viewer,
        Tab::Active,
        "Active connections",
        &q,
        intro,
        table,
    )
    .await
}

fn active_row(c: &Connection, creator: &Creator, f: &PostFigures, now: Timestamp) -> Markup {
    let failures = c.health.consecutive_failures;
    let healthy = failures == 0
        && f.oldest_overdue.is_none()
        && c.health.missing_permissions.is_empty()
        && c.backoff_until.is_none_or(|b| b <= now);
    html! {
        tr data-connection=(c.id.get()) {
            td { (creator.name) }
            td { (c.platform.as_str()) }
            td { (c.handle) }
            td { (format::time(c.status_since())) }
            td { (format::time_or(f.last_scan, "never")) }
            td { (f.monitored) }
            td.health {
                @if healthy {
                    span.ok { span aria-hidden="true" { "✓ " } "Healthy" }
                } @else {
                    ul.issues {
                        @if failures > 0 {
                            li { span aria-hidden="true" { "⚠ " }
                                (failures) " consecutive failure" @if failures != 1 { "s" }
                                @if let Some(e) = &c.health.last_error { " (last: " (e) ")" }
                            }
                        }
                        @if let Some(t) = f.oldest_overdue {
                            li { span aria-hidden="true" { "⚠ " } "Oldest overdue post due " (format::time(t))
                                " (" (format::duration(now - t)) " late)" }
                        }
                        @if !c.health.missing_permissions.is_empty() {
                            li { span aria-hidden="true" { "⚠ " } "Degraded: permissions missing: "
                                (c.health.missing_permissions.join(", ")) }
                        }
                        @if let Some(b) = c.backoff_until.filter(|b| *b > now) {
                            li { span aria-hidden="true" { "⏸ " } "Rate limited until " (format::time(b)) }
                        }
                    }
                }
                @if failures == 0 && f.oldest_overdue.is_none() {
                    span.visually-hidden { " 0 consecutive failures, no overdue post" }
                }
            }
        }
    }
}

/// `GET /disabled`.
pub(crate) async fn disabled(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
    Query(q): Query<PanelQuery>,
) -> Result<Response, DashboardError> {
    let store = &*state.store;
    let overdue_before = state.clock.now() - state.lease;
    let mut rows = Vec::new();
    for (c, creator) in connections_of(store, viewer.brand.id).await? {
        if !c.status.is_active() {
            let f = figures(store, viewer.brand.id, &c, overdue_before).await?;
            rows.push(disabled_row(&viewer, &c, &creator, &f));
        }
    }
    let just_reset = match q.reset {
        Some(id) => connection_for(store, viewer.brand.id, ConnectionId(id)).await?,
        None => None,
    };
    let table = html! {
        @if rows.is_empty() {
            p.muted { "No disabled connections." }
        } @else {
            table.connections #disabled-connections {
                caption.visually-hidden { "Disabled connections" }
                thead { tr {
                    th scope="col" { "Creator" }
                    th scope="col" { "Platform" }
                    th scope="col" { "Account" }
                    th scope="col" { "Status" }
                    th scope="col" { "Since" }
                    th scope="col" { "Why" }
                    th scope="col" { "Scanned data" }
                    th scope="col" { "Action" }
                } }
                tbody { @for r in &rows { (r) } }
            }
        }
    };
    let intro = html! {
        @if let Some((c, creator)) = &just_reset {
            p.notice #reset-done role="status" {
                span aria-hidden="true" { "✓ " }
                "The " (c.platform.as_str()) " connection " (c.handle) " of " (creator.name)
                " was reset. All scanned posts and readings stay; "
                (creator.name) " can now connect the account again from scratch."
            }
        }
        p.hint {
            "Connections the platform refused (disconnected) or that were reset. Their posts are not scanned until the creator connects again. "
            strong { "Resetting keeps all scanned data" } ": it only clears the connection's credentials so the creator can connect from scratch."
        }
    };
    panel_response(
        store,
        &viewer,
        Tab::Disabled,
        "Disabled connections",
        &q,
        intro,
        table,
    )
    .await
}

fn disabled_row(viewer: &Viewer, c: &Connection, creator: &Creator, f: &PostFigures) -> Markup {
    html! {
        tr data-connection=(c.id.get()) {
            td { (creator.name) }
            td { (c.platform.as_str()) }
            td { (c.handle) }
            @match &c.status {
                ConnectionStatus::Disconnected { since, reason, .. } => {
                    td { span aria-hidden="true" { "✕ " } "Disconnected" }
                    td { (format::time(*since)) }
                    td { (reason.to_string()) }
                }
                ConnectionStatus::Reset { since } => {
                    td { span aria-hidden="true" { "↺ " } "Reset" }
                    td { (format::time(*since)) }
                    td { "Reset from this dashboard; waiting for the creator to connect again" }
                }
                ConnectionStatus::Active => {
                    td { "Active" } td {} td {}
                }
            }
            td { (f.kept) " post" @if f.kept != 1 { "s" } ", all readings kept" }
            td {
                @if matches!(c.status, ConnectionStatus::Disconnected { .. }) {
                    a.button href=(viewer.url(&format!("/disabled/{}/reset", c.id.get()))) {
                        "Reset connection…"
                        span.visually-hidden { " " (creator.name) " " (c.platform.as_str()) " " (c.handle) }
                    }
                } @else {
                    span.muted { "—" }
                }
            }
        }
    }
}

/// The connection `id` as the brand may see it, for the reset pages.
async fn resettable(
    state: &State,
    viewer: &Viewer,
    id: i64,
) -> Result<(Connection, Creator), DashboardError> {
    let (c, creator) = connection_for(&*state.store, viewer.brand.id, ConnectionId(id))
        .await?
        .ok_or_else(|| DashboardError::NotFound(format!("connection {id}")))?;
    if c.status.is_active() {
        return Err(DashboardError::Conflict(format!(
            "the {} connection {} is active: an active connection cannot be reset (it serves every brand the creator works with)",
            c.platform, c.handle
        )));
    }
    Ok((c, creator))
}

/// `GET /disabled/{id}/reset`: the confirmation step.
pub(crate) async fn confirm_reset(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
    Path(id): Path<i64>,
) -> Result<Html<String>, DashboardError> {
    let (c, creator) = resettable(&state, &viewer, id).await?;
    let token = state.csrf.issue(reset_grant(&viewer, c.id));
    let panel = html! {
        div.panel-head { h2 #confirm-title { "Reset this connection?" } }
        dl.facts {
            dt { "Creator" } dd { (creator.name) }
            dt { "Platform" } dd { (c.platform.as_str()) }
            dt { "Account" } dd { (c.handle) }
            dt { "Since" } dd { (format::time(c.status_since())) }
        }
        p {
            "Resetting clears this connection's credentials so " (creator.name)
            " can connect the account again from scratch. "
            strong { "All scanned posts, readings and reports stay." }
            " When the account is connected again, the new connection takes its posts over."
        }
        form method="post" action=(viewer.url(&format!("/disabled/{id}/reset"))) aria-labelledby="confirm-title" {
            input type="hidden" name="csrf" value=(token);
            input type="hidden" name="confirm" value="yes";
            button #confirm-reset type="submit" { "Yes, reset the connection" }
            " "
            a href=(viewer.url("/disabled")) { "Cancel" }
        }
    };
    Ok(layout(&viewer, Tab::Disabled, "Reset connection", panel))
}

/// What a reset form's token authorises: this brand resetting this
/// connection, nothing else.
fn reset_grant(viewer: &Viewer, connection: ConnectionId) -> Grant {
    Grant {
        brand: viewer.brand.id,
        action: Action::ResetConnection,
        target: connection.get(),
    }
}

/// The reset form.
#[derive(Debug, Deserialize)]
pub(crate) struct ResetForm {
    csrf: Option<String>,
    confirm: Option<String>,
}

/// `POST /disabled/{id}/reset`.
pub(crate) async fn reset(
    viewer: Viewer,
    AxState(state): AxState<Arc<State>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Result<Redirect, DashboardError> {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return Err(DashboardError::Csrf);
    }
    let token = form.csrf.as_deref().unwrap_or_default();
    if !state
        .csrf
        .verify(reset_grant(&viewer, ConnectionId(id)), token)
    {
        return Err(DashboardError::Csrf);
    }
    if form.confirm.as_deref() != Some("yes") {
        return Err(DashboardError::BadRequest(
            "confirm the reset on the confirmation page".into(),
        ));
    }
    let (c, _) = resettable(&state, &viewer, id).await?;
    // The engine resets and publishes the reset for every monitor.
    let reset = state
        .engine
        .reset_connection(c.id)
        .await
        .map_err(|e| match e {
            EngineError::Store(StoreError::InvalidState(_)) => DashboardError::Conflict(
                "the connection became active meanwhile: an active connection cannot be reset"
                    .into(),
            ),
            other => other.into(),
        })?;
    tracing::info!(connection = %reset.id, brand = %viewer.brand.id, "connection reset from the dashboard");
    Ok(Redirect::to(
        &viewer.url(&format!("/disabled?reset={}", reset.id.get())),
    ))
}
