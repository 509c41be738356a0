//! Discovery: list each active connection's posts newest first down to the
//! high-water mark minus the overlap (the whole window on the first run and
//! on deep passes), record them with their hashtags and attribution, and
//! re-match stored posts when the tracking configuration changed.

use super::{CycleReport, Engine, EngineError};
use crate::credentials::VersionedCredentials;
use crate::domain::{
    Connection, HighWater, Lister, PostState, Scope, StatusKind, lister_creators, record_lister,
};
use crate::ids::{CreatorId, PlatformPostId};
use crate::matching::{attribute, find_hashtags};
use crate::platform::{AccountRef, PlatformErrorKind};
use crate::store::{
    ConnectionFilter, DiscoveryProgress, HealthUpdate, PostFilter, PostStore, PostUpsert,
    check_platform_id,
};
use crate::text::Storable;
use std::collections::{HashMap, HashSet};
use tracing::Instrument;

/// The scopes each set of creators is a member of, read once per discovery.
struct MemberScopes {
    by_creator: HashMap<CreatorId, Vec<Scope>>,
    by_set: HashMap<Vec<CreatorId>, Vec<Scope>>,
}

impl MemberScopes {
    fn new(creator: CreatorId, scopes: Vec<Scope>) -> MemberScopes {
        MemberScopes {
            by_creator: HashMap::from([(creator, scopes)]),
            by_set: HashMap::new(),
        }
    }

    /// Every scope one of `creators` (sorted, each once) is a member of,
    /// by id, each once.
    async fn of(
        &mut self,
        store: &dyn PostStore,
        creators: &[CreatorId],
    ) -> Result<&[Scope], EngineError> {
        for c in creators {
            if !self.by_creator.contains_key(c) {
                let scopes = store.list_scopes_for_creator(*c).await?;
                self.by_creator.insert(*c, scopes);
            }
        }
        if let [one] = creators {
            return Ok(self.by_creator.get(one).map_or(&[], Vec::as_slice));
        }
        if !self.by_set.contains_key(creators) {
            let mut merged: Vec<Scope> = creators
                .iter()
                .filter_map(|c| self.by_creator.get(c))
                .flatten()
                .cloned()
                .collect();
            merged.sort_by_key(|s| s.id);
            merged.dedup_by_key(|s| s.id);
            self.by_set.insert(creators.to_vec(), merged);
        }
        Ok(self.by_set.get(creators).map_or(&[], Vec::as_slice))
    }
}

/// The most posts one discovery reads (a bound on what a platform can make
/// us do).
const MAX_POSTS_PER_DISCOVERY: usize = 20_000;

/// The most pages one discovery asks for. A run cut short keeps the
/// connection's high-water mark (and does not count as a deep pass), so the
/// next run lists that range again.
const MAX_PAGES_PER_DISCOVERY: usize = 1_000;

impl Engine {
    /// Discovery for every active connection that is due (its interval
    /// passed) or whose stored posts need re-matching.
    pub async fn run_discovery(&self) -> Result<CycleReport, EngineError> {
        let store = &self.inner.store;
        let revision = store.tracking_revision().await?;
        let active = store
            .list_connections(ConnectionFilter {
                statuses: Some(vec![StatusKind::Active]),
                ..Default::default()
            })
            .await?;
        let now = self.now();
        let mut report = CycleReport::default();
        for conn in active {
            let due = conn
                .last_discovery_at
                .is_none_or(|t| t + self.inner.policy.discovery_interval <= now);
            if !due && conn.matched_revision == revision {
                continue;
            }
            if !conn.is_callable(now) && conn.matched_revision == revision {
                continue;
            }
            let span =
                tracing::info_span!("discovery", connection = %conn.id, platform = %conn.platform);
            let work = self
                .discover(&conn, due && conn.is_callable(now), revision)
                .instrument(span);
            report.add(self.contained(conn.id, "discovery", work).await);
        }
        Ok(report)
    }

    /// Discovery for one connection now (after a (re)connection).
    pub(super) async fn discover_connection(
        &self,
        conn: &Connection,
        list: bool,
    ) -> Result<CycleReport, EngineError> {
        let revision = self.inner.store.tracking_revision().await?;
        self.discover(conn, list, revision).await
    }

    async fn discover(
        &self,
        conn: &Connection,
        list: bool,
        revision: u64,
    ) -> Result<CycleReport, EngineError> {
        let store = &self.inner.store;
        let policy = self.inner.policy;
        let now = self.now();
        let Some(lease) = store
            .try_claim_discovery(conn.id, now, now + policy.lease)
            .await?
        else {
            return Ok(CycleReport::default());
        };
        let mut report = CycleReport::default();
        let mut scopes = MemberScopes::new(
            conn.creator,
            store.list_scopes_for_creator(conn.creator).await?,
        );
        let mut high_water = None;
        let mut deep = false;
        if list {
            deep = conn.high_water.is_none()
                || conn
                    .last_deep_pass_at
                    .is_none_or(|t| t + policy.deep_pass_interval <= now);
            match self.list_new_posts(conn, deep).await {
                Ok(Listed {
                    mut upserts,
                    newest,
                    complete,
                    creds,
                }) => {
                    high_water = newest;
                    deep &= complete;
                    if !upserts.is_empty() {
                        self.attribute_listed(conn, &mut upserts, &mut scopes)
                            .await?;
                        let written = self
                            .write_each(
                                conn,
                                upserts,
                                |u| u.platform_post_id.to_string(),
                                move |batch| store.upsert_posts(batch, now),
                            )
                            .await?;
                        report.posts_found +=
                            written.iter().flatten().filter(|u| u.created).count() as u64;
                    }
                    store
                        .record_health(conn.id, HealthUpdate::Success { at: now })
                        .await?;
                    // The deletion guard's baseline: the account's post
                    // count, at every listing. The count can rise unseen
                    // (an old post public again, below the high-water
                    // mark); a baseline older than that rise would hide the
                    // fall of a real deletion for good.
                    self.record_post_count(conn, &creds).await?;
                    report.discoveries += 1;
                }
                Err(Listing::Stop) => {
                    report.failures += 1;
                    // The lease lapses; nothing recorded as discovered.
                    return Ok(report);
                }
            }
        }
        if conn.matched_revision != revision {
            self.rematch(conn, &mut scopes).await?;
        }
        let progress = DiscoveryProgress {
            at: now,
            high_water,
            deep_pass: list && deep,
            matched_revision: revision,
        };
        match store.finish_discovery(conn.id, lease, progress).await {
            Ok(()) | Err(crate::error::StoreError::LeaseLost) => Ok(report),
            Err(e) => Err(e.into()),
        }
    }

    /// Attributes what a listing found, matched with the memberships of
    /// every lister's creator: the posts' stored listers and this connection.
    async fn attribute_listed(
        &self,
        conn: &Connection,
        upserts: &mut [PostUpsert],
        scopes: &mut MemberScopes,
    ) -> Result<(), EngineError> {
        let store = &*self.inner.store;
        let ids = upserts.iter().map(|u| u.platform_post_id.clone()).collect();
        let known: HashMap<PlatformPostId, Vec<Lister>> = store
            .list_posts(PostFilter {
                keys: Some((conn.platform, ids)),
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(|p| (p.platform_post_id, p.listers))
            .collect();
        for u in upserts {
            let mut listers = known.get(&u.platform_post_id).cloned().unwrap_or_default();
            record_lister(
                &mut listers,
                Lister {
                    connection: conn.id,
                    creator: conn.creator,
                },
            );
            let creators = lister_creators(&listers);
            let scopes = scopes.of(store, &creators).await?;
            u.attribution = attribute(&creators, u.published_at, &u.hashtags, scopes);
        }
        Ok(())
    }

    /// Re-attributes the stored posts the connection listed (owned or not)
    /// still inside their window, with the memberships of every lister's
    /// creator.
    async fn rematch(
        &self,
        conn: &Connection,
        scopes: &mut MemberScopes,
    ) -> Result<(), EngineError> {
        let store = &self.inner.store;
        let now = self.now();
        let posts = store
            .list_posts(PostFilter {
                lister: Some(conn.id),
                states: Some(vec![
                    PostState::Seen,
                    PostState::Monitoring,
                    PostState::Paused,
                    PostState::Deleted,
                    PostState::Untracked,
                ]),
                monitor_until_after: Some(now),
                ..Default::default()
            })
            .await?;
        for p in posts {
            let creators = lister_creators(&p.listers);
            let scopes = scopes.of(&**store, &creators).await?;
            let attribution = attribute(&creators, p.published_at, &p.hashtags, scopes);
            if attribution != p.attribution {
                store.set_attribution(p.id, attribution, now).await?;
            }
        }
        Ok(())
    }

    /// The posts a listing found, not attributed yet, and the newest mark.
    async fn list_new_posts(&self, conn: &Connection, deep: bool) -> Result<Listed, Listing> {
        let policy = self.inner.policy;
        let now = self.now();
        let platform = self.platform(conn.platform).map_err(|_| Listing::Stop)?;
        let read = match self.inner.store.get_credentials(conn.id).await {
            Ok(Some(c)) => c,
            _ => return Err(Listing::Stop),
        };
        let mut creds = match self.fresh_credentials(conn, read).await {
            Ok(Some(c)) => c,
            _ => return Err(Listing::Stop),
        };
        let window_start = now - policy.window;
        let cutoff = match (&conn.high_water, deep) {
            (Some(hw), false) => (hw.published_at - policy.discovery_overlap).max(window_start),
            _ => window_start,
        };
        let mut upserts = Vec::new();
        let mut newest: Option<HighWater> = None;
        let mut cursor = None;
        let mut retried = false;
        // A platform decides the pages: a run is bounded, and stops at a
        // page that adds nothing or repeats a cursor.
        let mut pages = 0usize;
        let mut seen: HashSet<PlatformPostId> = HashSet::new();
        let mut cursors: HashSet<String> = HashSet::new();
        let mut refused = 0u32;
        let mut complete = true;
        loop {
            let account = AccountRef {
                account_id: &conn.account_id,
                credentials: &creds.credentials,
            };
            let page = match platform.list_posts(account, cursor.clone()).await {
                Ok(p) => p,
                Err(e) => {
                    if let PlatformErrorKind::TokenInvalid(reason) = e.kind.clone() {
                        if !retried {
                            retried = true;
                            if let Ok(Some(c)) = self.on_token_invalid(conn, &creds, reason).await {
                                creds = c;
                                continue;
                            }
                        }
                    } else {
                        self.on_call_error(conn, &e).await;
                    }
                    return Err(Listing::Stop);
                }
            };
            pages += 1;
            let mut past_cutoff = false;
            let mut added = false;
            for mut p in page.posts {
                if check_platform_id("post", p.id.as_str()).is_err() {
                    refused += 1;
                    continue;
                }
                added |= seen.insert(p.id.clone());
                let Some(published_at) = p.published_at else {
                    continue; // not public yet: not monitored yet
                };
                if published_at < cutoff {
                    past_cutoff = true;
                    continue;
                }
                // A time ahead of the listing is anchored at it (a stored
                // post keeps the anchor of its first discovery).
                let anchored_at = policy.anchor(published_at, now);
                if !policy.is_in_window(anchored_at, now) {
                    continue;
                }
                // The mark never passes the listing instant: a post dated
                // ahead must not hide the real posts published after it.
                let mark = HighWater {
                    published_at: published_at.min(now),
                    post_id: p.id.clone(),
                };
                if newest.as_ref().is_none_or(|n| mark > *n) {
                    newest = Some(mark);
                }
                // Text is kept less U+0000, and tags found in what is kept.
                p.title.make_storable();
                p.text.make_storable();
                p.keyword_tags.make_storable();
                p.permalink.make_storable();
                let hashtags = find_hashtags(p.title.as_deref(), &p.text, &p.keyword_tags);
                upserts.push(PostUpsert {
                    platform: conn.platform,
                    platform_post_id: p.id,
                    connection: conn.id,
                    creator: conn.creator,
                    published_at,
                    anchored_at,
                    monitor_until: policy.monitor_until(anchored_at),
                    kind: p.kind,
                    title: p.title,
                    text: p.text,
                    keyword_tags: p.keyword_tags,
                    permalink: p.permalink,
                    hashtags,
                    attribution: Vec::new(),
                });
            }
            match page.next {
                Some(next)
                    if !past_cutoff
                        && added
                        && pages < MAX_PAGES_PER_DISCOVERY
                        && upserts.len() < MAX_POSTS_PER_DISCOVERY
                        && cursors.insert(next.0.clone()) =>
                {
                    cursor = Some(next)
                }
                Some(_) if !past_cutoff => {
                    // Cut short: the mark stays where it was, so the next
                    // run lists this range again.
                    complete = false;
                    tracing::info!(
                        connection = %conn.id,
                        pages,
                        added,
                        "listing stopped early: a page added nothing, repeated a cursor or passed the bound"
                    );
                    break;
                }
                _ => break,
            }
        }
        if refused > 0 {
            let update = HealthUpdate::ReadingProblems {
                at: now,
                count: refused,
                last: format!("{refused} listed posts with an unusable id left out"),
            };
            if let Err(e) = self.inner.store.record_health(conn.id, update).await {
                tracing::warn!(error = %e, "could not record a listing problem");
            }
        }
        Ok(Listed {
            upserts,
            newest: newest.filter(|_| complete),
            complete,
            creds,
        })
    }
}

/// What one listing run found.
struct Listed {
    /// The posts, not attributed yet.
    upserts: Vec<PostUpsert>,
    /// The newest mark, when the run was complete.
    newest: Option<HighWater>,
    /// Whether it reached the cutoff or the end of the list (not cut short
    /// by a bound, an empty page or a repeated cursor).
    complete: bool,
    /// The credentials it used (fresh).
    creds: VersionedCredentials,
}

/// Listing stopped (an error already handled and counted).
enum Listing {
    Stop,
}
