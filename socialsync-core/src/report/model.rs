//! [`Report`] and the values it is made of.
//!
//! Every value serialises with stable snake_case field names; metrics are
//! keyed by their stable names ([`Metric::name`]). Sums are `i128` so no sum
//! of `u64` readings can overflow.

use super::EngagementRate;
use crate::clock::Timestamp;
use crate::domain::PostState;
use crate::ids::{BrandId, CreatorId, PlatformPostId, PostId, ScopeId};
use crate::metrics::{Metric, Metrics};
use crate::platform::Platform;
use crate::report::BucketSize;
use serde::Serialize;
use std::collections::BTreeMap;

/// A campaign or analytics report (ARCHITECTURE.md §6).
///
/// Built by [`super::scope_report`], [`super::analytics_report`] or, from
/// inputs in hand, [`super::build_report`]; exported with
/// [`Report::to_json`] and [`Report::to_csv`]. Every list is sorted, so the
/// same readings always give the same report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The brand.
    pub brand: BrandId,
    /// The scope of a campaign report; `None` for the analytics report over
    /// the brand's whole program.
    pub scope: Option<ScopeRef>,
    /// Start (inclusive).
    pub from: Timestamp,
    /// End (exclusive).
    pub to: Timestamp,
    /// The bucket size of [`Report::series`].
    pub bucket: BucketSize,
    /// The figures over every post of the report (serialised inline:
    /// `posts`, `totals`, `growth`, `engagement`, `engagement_rate`).
    #[serde(flatten)]
    pub figures: Figures,
    /// The figures per platform, in [`Platform`] order.
    pub by_platform: Vec<PlatformFigures>,
    /// The figures per creator, by name then id.
    pub by_creator: Vec<CreatorFigures>,
    /// One line per post, by publish time, platform and platform id.
    pub by_post: Vec<PostLine>,
    /// One bucket per `[start, end)` of the range, oldest first.
    pub series: Vec<SeriesBucket>,
    /// How many of the report's posts are in each state now.
    pub posts_by_state: PostStateCounts,
}

/// A scope, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeRef {
    /// Its id.
    pub id: ScopeId,
    /// Its display name.
    pub name: String,
}

/// The figures of a set of posts: the whole report, or one platform's or
/// one creator's part of it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Figures {
    /// How many posts.
    pub posts: u64,
    /// Per counter metric known for at least one post (absent is not zero:
    /// a counter no post reports is left out), the sum of each post's latest
    /// present value before `to`. Gauges are never summed.
    pub totals: BTreeMap<Metric, CounterTotal>,
    /// Per counter metric, the total as of `to` minus the total as of `from`
    /// (a post with no reading before `from` counts 0 there). May be
    /// negative: a platform may lower a count.
    pub growth: BTreeMap<Metric, i128>,
    /// Likes + comments + shares + saves as of `to`, over the metrics
    /// present; `None` when no post has any of them.
    pub engagement: Option<i128>,
    /// Engagement over views, over the posts whose views are known; `None`
    /// when there are no views to divide by.
    pub engagement_rate: Option<EngagementRate>,
}

/// One counter's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CounterTotal {
    /// The sum over the posts that have a value.
    pub value: i128,
    /// How many posts have a value.
    pub posts: u64,
    /// How many of those values are stale: the latest reading before `to`
    /// lacked the metric, so its last present value was carried forward.
    pub stale_posts: u64,
}

/// One platform's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformFigures {
    /// The platform.
    pub platform: Platform,
    /// Its figures (serialised inline).
    #[serde(flatten)]
    pub figures: Figures,
}

/// One creator's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatorFigures {
    /// The creator.
    pub creator: CreatorId,
    /// The creator's display name (the id's text when the store has none).
    pub name: String,
    /// Their figures (serialised inline).
    #[serde(flatten)]
    pub figures: Figures,
}

/// One post of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostLine {
    /// The post.
    pub post: PostId,
    /// Its creator.
    pub creator: CreatorId,
    /// The creator's display name.
    pub creator_name: String,
    /// Its platform.
    pub platform: Platform,
    /// Its id on the platform.
    pub platform_post_id: PlatformPostId,
    /// Its permanent link.
    pub permalink: Option<String>,
    /// When it was published.
    pub published_at: Timestamp,
    /// Its state now.
    pub state: PostState,
    /// Each metric's latest present value before `to`, gauges included;
    /// empty before its first reading.
    pub metrics: Metrics,
    /// The metrics whose value is carried from an earlier reading because the
    /// latest reading before `to` lacked them, in [`Metric::ALL`] order.
    pub stale: Vec<Metric>,
}

/// One bucket `[start, end)` of a report's series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesBucket {
    /// Start (inclusive).
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
    /// Per counter, the total as of `end`: each post's latest reading
    /// strictly before `end`, carried forward.
    pub as_of: BTreeMap<Metric, i128>,
    /// Per counter, the total as of `end` minus the total as of `start`.
    pub growth: BTreeMap<Metric, i128>,
    /// Whether a connection of the report's posts was not active during
    /// part of the bucket: its values are what was read, never interpolated.
    pub disconnected: bool,
    /// Whether this is the first bucket after disconnected ones: its growth
    /// holds what accumulated during the gap.
    pub after_gap: bool,
    /// Whether a post was `Deleted` (gone or hidden) during this bucket: its
    /// last reading is carried forward, not read again.
    pub deleted: bool,
}

/// How many posts are in each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PostStateCounts {
    /// Seen (no scope matches; not normally in a report).
    pub seen: u64,
    /// Monitoring.
    pub monitoring: u64,
    /// Paused: the connection is not active.
    pub paused: u64,
    /// Expired: the window ended (keeps its last reading).
    pub expired: u64,
    /// Deleted on the platform (keeps its last reading).
    pub deleted: u64,
    /// Untracked (not normally in a report).
    pub untracked: u64,
}

impl PostStateCounts {
    /// The count for `state`.
    pub fn get(&self, state: PostState) -> u64 {
        match state {
            PostState::Seen => self.seen,
            PostState::Monitoring => self.monitoring,
            PostState::Paused => self.paused,
            PostState::Expired => self.expired,
            PostState::Deleted => self.deleted,
            PostState::Untracked => self.untracked,
        }
    }

    /// Counts one more post in `state`.
    pub fn add(&mut self, state: PostState) {
        let n = match state {
            PostState::Seen => &mut self.seen,
            PostState::Monitoring => &mut self.monitoring,
            PostState::Paused => &mut self.paused,
            PostState::Expired => &mut self.expired,
            PostState::Deleted => &mut self.deleted,
            PostState::Untracked => &mut self.untracked,
        };
        *n += 1;
    }

    /// The total over every state.
    pub fn total(&self) -> u64 {
        PostState::ALL.iter().map(|s| self.get(*s)).sum()
    }
}
