//! What a report reads from a store ([`ReportStore`](crate::store::ReportStore)):
//! the query and the inputs it is answered with.

use crate::clock::Timestamp;
use crate::domain::{DeletedSpan, Lister, PostState, StatusInterval};
use crate::ids::{BrandId, ConnectionId, CreatorId, PlatformPostId, PostId, ScopeId};
use crate::metrics::{Metric, Metrics};
use crate::platform::Platform;
use serde::{Deserialize, Serialize};

/// The size of a report's time buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BucketSize {
    /// UTC hours.
    Hour,
    /// UTC days.
    Day,
}

impl BucketSize {
    /// The bucket length.
    pub fn duration(self) -> chrono::TimeDelta {
        match self {
            BucketSize::Hour => chrono::TimeDelta::hours(1),
            BucketSize::Day => chrono::TimeDelta::days(1),
        }
    }

    /// Whether `t` is on a bucket boundary.
    pub fn is_aligned(self, t: Timestamp) -> bool {
        let len = self.duration().num_microseconds().unwrap_or(i64::MAX);
        t.timestamp_micros().rem_euclid(len) == 0
    }
}

/// What a report reads from the store: either a scope of a brand, or the
/// brand as a whole (each post once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportQuery {
    /// The brand.
    pub brand: BrandId,
    /// The scope; `None` for the analytics report over all the brand's scopes.
    pub scope: Option<ScopeId>,
    /// Start (inclusive, aligned to `bucket`).
    pub from: Timestamp,
    /// End (exclusive, aligned to `bucket`).
    pub to: Timestamp,
    /// Bucket size of the series.
    pub bucket: BucketSize,
}

impl ReportQuery {
    /// The series' boundaries `from, from + bucket, …` up to and including
    /// `to`: one more than the buckets. Ends at the last boundary the
    /// timestamp range holds, never repeating one (a `to` at
    /// [`Timestamp::MAX`] does not make it endless).
    pub fn boundaries(&self) -> impl Iterator<Item = Timestamp> + use<> {
        let (to, step) = (self.to, self.bucket.duration());
        std::iter::successors(Some(self.from), move |b| b.checked_add(step))
            .take_while(move |b| *b <= to)
    }
}

/// Counter totals, one per metric (gauges stay 0): sums of readings, exact
/// and never overflowing (see [`CounterDelta`](crate::metrics::CounterDelta)).
pub type CounterTotals = [i128; Metric::COUNT];

/// One post as a report sees it.
#[derive(Debug, Clone)]
pub struct ReportPost {
    /// The post.
    pub id: PostId,
    /// Platform.
    pub platform: Platform,
    /// Platform id.
    pub platform_post_id: PlatformPostId,
    /// The owner's creator.
    pub creator: CreatorId,
    /// The owning connection.
    pub connection: ConnectionId,
    /// Every connection that listed it (the by-creator breakdown credits
    /// the listers' creators that are members of the report's scopes).
    pub listers: Vec<Lister>,
    /// The scopes it counts for now.
    pub scopes: Vec<ScopeId>,
    /// Permalink.
    pub permalink: Option<String>,
    /// Publish time, as the platform says.
    pub published_at: Timestamp,
    /// The end of its window.
    pub monitor_until: Timestamp,
    /// When it was `Deleted`, oldest first.
    pub deleted: Vec<DeletedSpan>,
    /// Where the report places it: it counts in a report whose range ends
    /// after this instant.
    pub anchored_at: Timestamp,
    /// State now (a report counts it as of its range's end:
    /// [`ReportPost::state_at`]).
    pub state: PostState,
    /// Carried-forward values of the latest reading strictly before `from`.
    pub at_from: Option<Metrics>,
    /// Carried-forward values of the latest reading strictly before `to`.
    pub at_to: Option<Metrics>,
    /// The latest reading before `to` as read (to tell stale values).
    pub latest_before_to: Option<Metrics>,
}

impl ReportPost {
    /// Its state at `at`, from what is kept of its past: `Expired` once its
    /// window is over and it expired; `Deleted` inside a deletion span;
    /// `Paused` while its connection was not active (`connection_down`);
    /// else `Monitoring`. A post no scope tracks keeps its state.
    pub fn state_at(&self, at: Timestamp, connection_down: bool) -> PostState {
        match self.state {
            PostState::Seen | PostState::Untracked => self.state,
            PostState::Expired if at > self.monitor_until => PostState::Expired,
            _ if self.deleted.iter().any(|d| d.covers(at)) => PostState::Deleted,
            _ if connection_down => PostState::Paused,
            _ => PostState::Monitoring,
        }
    }
}

/// What the store hands a report: the posts, the as-of totals at each bucket
/// boundary (kept up to date as scans land, never recomputed from history),
/// and the status history of the connections involved.
#[derive(Debug, Clone)]
pub struct ReportInputs {
    /// The posts that count for the query, by id.
    pub posts: Vec<ReportPost>,
    /// `(boundary, totals)` for `from, from + bucket, …, to`: the counter
    /// totals of readings strictly before each boundary.
    pub boundaries: Vec<(Timestamp, CounterTotals)>,
    /// Each involved connection's status history.
    pub connection_history: Vec<(ConnectionId, Vec<StatusInterval>)>,
}
