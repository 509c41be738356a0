//! Reports (ARCHITECTURE.md §6): what a brand's creators' posts did over a
//! time range.
//!
//! Two reports, both over `[from, to)` with a series of hourly or daily
//! buckets ([`ReportRange`]):
//!
//! - [`scope_report`]: the posts attributed to one scope of the brand now, a
//!   campaign or a creator program (a post that became untracked has left
//!   it);
//! - [`analytics_report`]: the brand's whole program, every post of any of
//!   its scopes, each counted once.
//!
//! Each takes any store that holds the tracking configuration and the
//! report inputs ([`TrackingStore`] + [`ReportStore`]; a full
//! [`PostStore`](crate::store::PostStore) is both) and reads it once
//! ([`ReportStore::report_inputs`], from the aggregates kept up to date as scans land, so no history is rescanned)
//! plus the names it shows, and hands the inputs to [`build_report`], a pure
//! function: integer arithmetic only, exact, and the same readings always
//! give the same report. The [`Report`] holds totals (counters only: gauges
//! are never summed), growth, engagement and an exact [`EngagementRate`],
//! breakdowns by platform, creator and post, the series with its
//! disconnection marks, and the posts per state. It exports as JSON
//! ([`Report::to_json`]) and CSV ([`Report::to_csv`]).
//!
//! ```
//! # async fn demo(store: &dyn socialsync_core::store::PostStore,
//! #     brand: socialsync_core::ids::BrandId,
//! #     scope: socialsync_core::ids::ScopeId)
//! #     -> Result<(), socialsync_core::report::ReportError> {
//! use socialsync_core::metrics::Metric;
//! use socialsync_core::report::{BucketSize, ReportRange, scope_report};
//!
//! let range = ReportRange::new(
//!     "2026-03-01T00:00:00Z".parse().unwrap(),
//!     "2026-03-08T00:00:00Z".parse().unwrap(),
//!     BucketSize::Day,
//! )?;
//! let report = scope_report(store, brand, scope, range).await?;
//! if let Some(views) = report.figures.totals.get(&Metric::Views) {
//!     println!("{} views, {} of them stale", views.value, views.stale_posts);
//! }
//! let csv = report.to_csv();
//! # let _ = csv;
//! # Ok(())
//! # }
//! ```

mod build;
mod error;
mod export;
mod inputs;
#[cfg(test)]
mod limit_tests;
mod model;
mod range;
mod rate;
mod series;
mod table;
#[cfg(test)]
mod tests;

pub use build::{ReportMeta, build_report};
pub use error::ReportError;
pub use inputs::{BucketSize, CounterTotals, ReportInputs, ReportPost, ReportQuery};
pub use model::{
    CounterTotal, CreatorFigures, Figures, PlatformFigures, PostLine, PostStateCounts, Report,
    ScopeRef, SeriesBucket,
};
pub use range::{MAX_DAILY_BUCKETS, MAX_HOURLY_BUCKETS, ReportRange};
pub use rate::{EngagementRate, RATE_DECIMALS};

use crate::ids::{BrandId, CreatorId, ScopeId};
use crate::store::{ReportStore, TrackingStore};
use std::collections::{BTreeMap, BTreeSet};

/// The report of one scope (a campaign or a creator program) of `brand`:
/// the posts attributed to it now.
///
/// `NotFound` when the brand does not exist or the scope is not one of its
/// scopes (another brand's scope is never shown).
pub async fn scope_report<S: ReportStore + TrackingStore + ?Sized>(
    store: &S,
    brand: BrandId,
    scope: ScopeId,
    range: ReportRange,
) -> Result<Report, ReportError> {
    let found = store
        .get_scope(brand, scope)
        .await?
        .ok_or_else(|| ReportError::NotFound {
            entity: "scope",
            id: scope.to_string(),
        })?;
    let inputs = store.report_inputs(range.query(brand, Some(scope))).await?;
    let creator_names = creator_names(store, &inputs).await?;
    let members = BTreeMap::from([(found.id, found.members)]);
    Ok(build_report(
        inputs,
        ReportMeta {
            brand,
            scope: Some(ScopeRef {
                id: found.id,
                name: found.name,
            }),
            range,
            creator_names,
            members,
        },
    ))
}

/// The analytics report of `brand`: every post attributed to any of its
/// scopes, each counted once.
///
/// `NotFound` when the brand does not exist.
pub async fn analytics_report<S: ReportStore + TrackingStore + ?Sized>(
    store: &S,
    brand: BrandId,
    range: ReportRange,
) -> Result<Report, ReportError> {
    let inputs = store.report_inputs(range.query(brand, None)).await?;
    let creator_names = creator_names(store, &inputs).await?;
    let members = store
        .list_scopes(brand)
        .await?
        .into_iter()
        .map(|s| (s.id, s.members))
        .collect();
    Ok(build_report(
        inputs,
        ReportMeta {
            brand,
            scope: None,
            range,
            creator_names,
            members,
        },
    ))
}

/// The names of the inputs' creators, owners' and listers' (one lookup each).
async fn creator_names<S: TrackingStore + ?Sized>(
    store: &S,
    inputs: &ReportInputs,
) -> Result<BTreeMap<CreatorId, String>, ReportError> {
    let mut creators = BTreeSet::new();
    for p in &inputs.posts {
        creators.insert(p.creator);
        creators.extend(p.listers.iter().map(|l| l.creator));
    }
    let mut names = BTreeMap::new();
    for creator in creators {
        if let Some(c) = store.get_creator(creator).await? {
            names.insert(creator, c.name);
        }
    }
    Ok(names)
}
