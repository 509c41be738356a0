//! # socialsync-dashboard
//!
//! The monitoring dashboard a host service mounts: an axum [`Router`] over
//! an [`Engine`]'s store and event stream, showing one brand at a time.
//! Pages read the store; actions (resetting a connection) go through the
//! engine, so they publish their events and follow its rules like any other
//! change.
//!
//! A guided tour of what it serves (paths relative to where it is mounted):
//!
//! | path | what |
//! | --- | --- |
//! | `/`, `/monitor` | **Scan monitor**: scans as they happen (server-sent events), newest first, bounded; a row whose metrics changed arrives highlighted, with the old → new values |
//! | `/events` | the event stream itself (`text/event-stream` of rendered rows; SSE ids are the store's event ids, so a browser that reconnects resumes with `Last-Event-ID`; `?after=<id>` to start after an id, `?only=connection` for connection events) |
//! | `/active` | **Active connections** with their health (`?fragment=1`: the table alone, which the page swaps in when a connection changes) |
//! | `/disabled` | **Disabled connections** (disconnected or reset), with the **Reset connection** action (`/disabled/{id}/reset`: a confirmation page, then a CSRF-protected POST; refused with 409 for an active connection) |
//! | `/reports`, `/reports/{all or scope id}` | **Reports** per campaign, per program and for the whole brand, with a server-rendered SVG chart; `/csv` and `/json` below each report download it |
//! | `/assets/dashboard.css`, `/assets/dashboard.js` | the page's only assets (no CDN, no build step) |
//!
//! Access: the host says which brand a request acts for through a
//! [`BrandResolver`]; a request without a brand is refused (401, or 403),
//! and a brand sees only its own creators, scopes, connections and events.
//!
//! Everything is server-rendered HTML with every value escaped; pages work
//! under any path prefix (links are built from the prefix the request was
//! routed under, or from [`DashboardBuilder::with_base_path`]).
//!
//! ```
//! use socialsync_core::engine::Engine;
//! use socialsync_core::ids::BrandId;
//! use socialsync_dashboard::{Dashboard, FixedBrand};
//!
//! fn mount(engine: &Engine) -> axum::Router {
//!     let dashboard = Dashboard::builder(engine.clone())
//!         // A real host maps its signed-in user to a brand instead.
//!         .with_resolver(FixedBrand(BrandId(1)))
//!         .build();
//!     dashboard.mount(axum::Router::new(), "/dashboard")
//! }
//! ```
//!
//! A process that serves the dashboard without scanning builds an engine
//! over the store with no platforms and never runs it: its actions need
//! none.

mod access;
mod assets;
mod base;
mod chart;
mod connections;
mod csrf;
mod error;
mod format;
mod monitor;
mod page;
mod reports;
mod visibility;

pub use access::{AccessDenied, BrandResolver, FixedBrand};
pub use error::DashboardError;

use axum::Router;
use axum::routing::get;
use chrono::TimeDelta;
use socialsync_core::clock::Clock;
use socialsync_core::engine::Engine;
use socialsync_core::store::PostStore;
use std::sync::Arc;

/// The default number of rows the scan monitor keeps.
pub const DEFAULT_MONITOR_ROWS: usize = 100;

/// The dashboard's shared state.
#[derive(Debug)]
pub(crate) struct State {
    /// Actions go through it.
    pub(crate) engine: Engine,
    /// The engine's store, for reading.
    pub(crate) store: Arc<dyn PostStore>,
    pub(crate) resolver: Arc<dyn BrandResolver>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) csrf: csrf::CsrfKey,
    pub(crate) lease: TimeDelta,
    pub(crate) monitor_rows: usize,
    pub(crate) base_path: Option<String>,
    pub(crate) highlight_ms: u32,
}

/// Builds a [`Dashboard`].
#[derive(Debug)]
pub struct DashboardBuilder {
    engine: Engine,
    resolver: Option<Arc<dyn BrandResolver>>,
    csrf_secret: Option<Vec<u8>>,
    lease: TimeDelta,
    monitor_rows: usize,
    base_path: Option<String>,
    highlight_ms: u32,
}

impl DashboardBuilder {
    /// How requests map to brands. Without one, every request is refused
    /// with 401.
    #[must_use]
    pub fn with_resolver(mut self, resolver: impl BrandResolver) -> Self {
        self.resolver = Some(Arc::new(resolver));
        self
    }

    /// The secret CSRF tokens are signed with. Every process serving the
    /// same dashboard behind a load balancer needs the same secret; without
    /// one, a random secret is drawn at build time (tokens then only hold
    /// for this process).
    #[must_use]
    pub fn with_csrf_secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.csrf_secret = Some(secret.into());
        self
    }

    /// How long past its due time a monitoring post counts as overdue
    /// (default: the engine's claim lease).
    #[must_use]
    pub fn with_lease(mut self, lease: TimeDelta) -> Self {
        self.lease = lease;
        self
    }

    /// How many rows the scan monitor keeps (default
    /// [`DEFAULT_MONITOR_ROWS`], at least 1).
    #[must_use]
    pub fn with_monitor_rows(mut self, rows: usize) -> Self {
        self.monitor_rows = rows.max(1);
        self
    }

    /// How long a changed row stays highlighted in the browser, in
    /// milliseconds (default 4 000).
    #[must_use]
    pub fn with_highlight_ms(mut self, ms: u32) -> Self {
        self.highlight_ms = ms;
        self
    }

    /// The path prefix the dashboard is reachable under, as the browser sees
    /// it (for a proxy that strips a prefix). By default the prefix is the
    /// part of the request path the host's router consumed when nesting.
    #[must_use]
    pub fn with_base_path(mut self, base: impl Into<String>) -> Self {
        let base: String = base.into();
        self.base_path = Some(base.trim_end_matches('/').to_owned());
        self
    }

    /// The dashboard.
    pub fn build(self) -> Dashboard {
        let key = match self.csrf_secret {
            Some(secret) => csrf::CsrfKey::new(&secret),
            None => csrf::CsrfKey::random(),
        };
        Dashboard {
            state: Arc::new(State {
                store: self.engine.store().clone(),
                clock: self.engine.clock().clone(),
                engine: self.engine,
                resolver: self
                    .resolver
                    .unwrap_or_else(|| Arc::new(access::NoBrand) as Arc<dyn BrandResolver>),
                csrf: key,
                lease: self.lease,
                monitor_rows: self.monitor_rows,
                base_path: self.base_path,
                highlight_ms: self.highlight_ms,
            }),
        }
    }
}

/// The dashboard: build it once, mount [`Dashboard::router`] where the host
/// wants it.
#[derive(Debug, Clone)]
pub struct Dashboard {
    state: Arc<State>,
}

impl Dashboard {
    /// A builder over `engine`: the dashboard reads the engine's store,
    /// tells time by its clock, and asks it for actions.
    pub fn builder(engine: Engine) -> DashboardBuilder {
        DashboardBuilder {
            lease: engine.policy().lease,
            engine,
            resolver: None,
            csrf_secret: None,
            monitor_rows: DEFAULT_MONITOR_ROWS,
            base_path: None,
            highlight_ms: 4_000,
        }
    }

    /// Mounts the dashboard into `host` under `prefix` (`/dashboard`; empty
    /// or `/` for the root). Besides `Router::nest`, it answers
    /// `<prefix>/` with a redirect to `<prefix>`, which `nest` alone leaves
    /// unrouted.
    pub fn mount(&self, host: Router, prefix: &str) -> Router {
        let prefix = prefix.trim_end_matches('/');
        if prefix.is_empty() {
            return host.merge(self.router());
        }
        let target = prefix.to_owned();
        host.nest(prefix, self.router()).route(
            &format!("{prefix}/"),
            get(move || async move { axum::response::Redirect::permanent(&target) }),
        )
    }

    /// The router, to mount at any path (`Router::nest("/prefix", …)`, or
    /// [`Dashboard::mount`]) or to serve as is.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(monitor::page))
            .route("/monitor", get(monitor::page))
            .route("/events", get(monitor::events))
            .route("/active", get(connections::active))
            .route("/disabled", get(connections::disabled))
            .route(
                "/disabled/{id}/reset",
                get(connections::confirm_reset).post(connections::reset),
            )
            .route("/reports", get(reports::index))
            .route("/reports/{key}", get(reports::show))
            .route("/reports/{key}/csv", get(reports::csv))
            .route("/reports/{key}/json", get(reports::json))
            .route("/assets/dashboard.css", get(assets::css))
            .route("/assets/dashboard.js", get(assets::js))
            .fallback(error::not_found)
            .layer(axum::middleware::from_fn(page::security_headers))
            .with_state(self.state.clone())
    }
}
