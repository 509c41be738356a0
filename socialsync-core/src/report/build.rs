//! [`build_report`]: the pure function that turns [`ReportInputs`] into a
//! [`Report`].

use super::model::{
    CounterTotal, CreatorFigures, Figures, PlatformFigures, PostLine, PostStateCounts, Report,
    ScopeRef,
};
use super::{EngagementRate, ReportRange, series};
use crate::domain::StatusKind;
use crate::ids::{BrandId, ConnectionId, CreatorId, ScopeId};
use crate::metrics::Metric;
use crate::platform::Platform;
use crate::report::{ReportInputs, ReportPost};
use std::collections::{BTreeMap, BTreeSet};

/// What a report says about itself, beside the store's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportMeta {
    /// The brand.
    pub brand: BrandId,
    /// The scope of a campaign report; `None` for an analytics report.
    pub scope: Option<ScopeRef>,
    /// The range the inputs were read for.
    pub range: ReportRange,
    /// Display names of the creators (a creator missing here is named by
    /// its id).
    pub creator_names: BTreeMap<CreatorId, String>,
    /// The members of the report's scopes (the campaign's scope, or every
    /// scope of the brand): the by-creator breakdown credits a post to each
    /// of its listers' creators that is a member of a scope it counts for.
    pub members: BTreeMap<ScopeId, BTreeSet<CreatorId>>,
}

/// Builds a report from what the store handed over: pure, integer-only and
/// deterministic (the same inputs in any order give the same report).
///
/// - Only the posts placed before `to` count (`anchored_at < to`: their
///   publish time, or their discovery when the platform dated them ahead).
/// - Totals sum each post's carried values as of `to` (`at_to`); growth
///   subtracts the carried values as of `from` (`at_from`, none: 0).
/// - A value is stale when `latest_before_to` lacks a metric `at_to` has.
/// - The by-creator breakdown credits each post to the creators
///   `credited` names (see [`ReportMeta::members`]): a post credited to
///   two creators counts in both their figures, once in the totals.
/// - The series comes from `boundaries`, one bucket per consecutive pair;
///   disconnection marks from `connection_history` (see
///   [`SeriesBucket`](super::SeriesBucket)).
pub fn build_report(inputs: ReportInputs, meta: ReportMeta) -> Report {
    let ReportInputs {
        mut posts,
        boundaries,
        connection_history,
    } = inputs;
    posts.retain(|p| p.anchored_at < meta.range.to());
    posts.sort_by(|a, b| {
        (a.anchored_at, a.platform, &a.platform_post_id, a.id).cmp(&(
            b.anchored_at,
            b.platform,
            &b.platform_post_id,
            b.id,
        ))
    });
    posts.dedup_by_key(|p| p.id);
    let name_of = |c: CreatorId| {
        meta.creator_names
            .get(&c)
            .cloned()
            .unwrap_or_else(|| c.to_string())
    };

    let figures = figures_of(posts.iter());

    let mut platforms: BTreeMap<Platform, Vec<&ReportPost>> = BTreeMap::new();
    let mut creators: BTreeMap<CreatorId, Vec<&ReportPost>> = BTreeMap::new();
    // States as of the range's end: its last instant.
    let last = meta.range.to() - chrono::TimeDelta::microseconds(1);
    let down_at_end: BTreeMap<ConnectionId, bool> = connection_history
        .iter()
        .map(|(c, h)| {
            let down = h.iter().any(|i| {
                i.status != StatusKind::Active && i.from <= last && i.to.is_none_or(|e| e > last)
            });
            (*c, down)
        })
        .collect();
    let state_at_end = |p: &ReportPost| {
        p.state_at(
            last,
            down_at_end.get(&p.connection).copied().unwrap_or(false),
        )
    };
    let mut posts_by_state = PostStateCounts::default();
    for p in &posts {
        platforms.entry(p.platform).or_default().push(p);
        for c in credited(p, &meta.members) {
            creators.entry(c).or_default().push(p);
        }
        posts_by_state.add(state_at_end(p));
    }
    let by_platform = platforms
        .into_iter()
        .map(|(platform, ps)| PlatformFigures {
            platform,
            figures: figures_of(ps.into_iter()),
        })
        .collect();
    let mut by_creator: Vec<CreatorFigures> = creators
        .into_iter()
        .map(|(creator, ps)| CreatorFigures {
            creator,
            name: name_of(creator),
            figures: figures_of(ps.into_iter()),
        })
        .collect();
    by_creator.sort_by(|a, b| (&a.name, a.creator).cmp(&(&b.name, b.creator)));

    let by_post = posts
        .iter()
        .map(|p| PostLine {
            post: p.id,
            creator: p.creator,
            creator_name: name_of(p.creator),
            platform: p.platform,
            platform_post_id: p.platform_post_id.clone(),
            permalink: p.permalink.clone(),
            published_at: p.published_at,
            state: state_at_end(p),
            metrics: p.at_to.unwrap_or_default(),
            stale: stale(p).collect(),
        })
        .collect();

    let known: Vec<Metric> = figures
        .totals
        .keys()
        .chain(figures.growth.keys())
        .copied()
        .collect();
    let series = series::build_series(&boundaries, &connection_history, &posts, &known);

    Report {
        brand: meta.brand,
        scope: meta.scope,
        from: meta.range.from(),
        to: meta.range.to(),
        bucket: meta.range.bucket(),
        figures,
        by_platform,
        by_creator,
        by_post,
        series,
        posts_by_state,
    }
}

/// The creators a post's figures are credited to in the by-creator
/// breakdown: its listers' creators that are members of a scope of the
/// report the post counts for (a collab post credits each member once),
/// sorted; its owner's creator when none is.
pub(super) fn credited(
    p: &ReportPost,
    members: &BTreeMap<ScopeId, BTreeSet<CreatorId>>,
) -> Vec<CreatorId> {
    let mut out: Vec<CreatorId> = p
        .listers
        .iter()
        .map(|l| l.creator)
        .filter(|c| {
            p.scopes
                .iter()
                .any(|s| members.get(s).is_some_and(|m| m.contains(c)))
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        out.push(p.creator);
    }
    out
}

/// The metrics of `p` whose value as of `to` is carried from an earlier
/// reading: present in `at_to`, absent from the latest reading as read.
fn stale(p: &ReportPost) -> impl Iterator<Item = Metric> + '_ {
    let carried = p.at_to.unwrap_or_default();
    let read = p.latest_before_to.unwrap_or_default();
    carried
        .present()
        .iter()
        .filter(move |m| !read.present().contains(*m))
}

/// The figures of a set of posts.
fn figures_of<'a>(posts: impl Iterator<Item = &'a ReportPost>) -> Figures {
    let mut f = Figures::default();
    let (mut rate_num, mut rate_den) = (0u128, 0u128);
    for p in posts {
        f.posts += 1;
        let to = p.at_to.unwrap_or_default();
        let from = p.at_from.unwrap_or_default();
        let read = p.latest_before_to.unwrap_or_default();
        for m in Metric::ALL.into_iter().filter(|m| m.is_counter()) {
            let (v_to, v_from) = (to.get(m), from.get(m));
            if let Some(v) = v_to {
                let t = f.totals.entry(m).or_insert_with(CounterTotal::default);
                t.value += i128::from(v);
                t.posts += 1;
                if read.get(m).is_none() {
                    t.stale_posts += 1;
                }
            }
            if v_to.is_some() || v_from.is_some() {
                *f.growth.entry(m).or_insert(0) +=
                    i128::from(v_to.unwrap_or(0)) - i128::from(v_from.unwrap_or(0));
            }
        }
        // Likes + comments + shares + saves, over the ones present.
        let mut post_engagement: Option<(i128, u128)> = None;
        for v in Metric::ENGAGEMENT.iter().filter_map(|m| to.get(*m)) {
            let (signed, unsigned) = post_engagement.get_or_insert((0, 0));
            *signed += i128::from(v);
            *unsigned += u128::from(v);
        }
        if let Some((e, _)) = post_engagement {
            f.engagement = Some(f.engagement.unwrap_or(0) + e);
        }
        if let Some(views) = to.get(Metric::Views) {
            rate_den += u128::from(views);
            rate_num += post_engagement.map_or(0, |(_, e)| e);
        }
    }
    f.engagement_rate = EngagementRate::new(rate_num, rate_den);
    f
}
