//! Discovery: list each active connection's posts newest first down to the
//! high-water mark minus the overlap (the whole window on the first run and
//! on deep passes), record them with their hashtags and attribution, and
//! re-match stored posts when the tracking configuration changed.

use super::{CycleReport, Engine, EngineError};
use crate::domain::{Connection, HighWater, PostState, StatusKind};
use crate::matching::{attribute, find_hashtags};
use crate::social_platform::{AccountRef, PlatformErrorKind};
use crate::store::{ConnectionFilter, DiscoveryProgress, HealthUpdate, PostFilter, PostUpsert};
use tracing::Instrument;

/// The most posts one discovery reads (a bound on what a platform can make
/// us do).
const MAX_POSTS_PER_DISCOVERY: usize = 20_000;

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
            report.add(
                self.discover(&conn, due && conn.is_callable(now), revision)
                    .instrument(span)
                    .await?,
            );
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
        let scopes = store.list_scopes_for_creator(conn.creator).await?;
        let mut high_water = None;
        let mut deep = false;
        if list {
            deep = conn.high_water.is_none()
                || conn
                    .last_deep_pass_at
                    .is_none_or(|t| t + policy.deep_pass_interval <= now);
            match self.list_new_posts(conn, deep, &scopes).await {
                Ok((upserts, hw)) => {
                    high_water = hw;
                    if !upserts.is_empty() {
                        let out = store.upsert_posts(upserts, now).await?;
                        report.posts_found += out.iter().filter(|u| u.created).count() as u64;
                    }
                    store
                        .record_health(conn.id, HealthUpdate::Success { at: now })
                        .await?;
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
            self.rematch(conn, &scopes).await?;
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

    /// Re-attributes the connection's stored posts still inside their window.
    async fn rematch(
        &self,
        conn: &Connection,
        scopes: &[crate::domain::Scope],
    ) -> Result<(), EngineError> {
        let store = &self.inner.store;
        let now = self.now();
        let posts = store
            .list_posts(PostFilter {
                connection: Some(conn.id),
                states: Some(vec![
                    PostState::Seen,
                    PostState::Monitoring,
                    PostState::Paused,
                    PostState::Untracked,
                ]),
                monitor_until_after: Some(now),
                ..Default::default()
            })
            .await?;
        for p in posts {
            let attribution = attribute(p.creator, p.published_at, &p.hashtags, scopes);
            if attribution != p.attribution {
                store.set_attribution(p.id, attribution, now).await?;
            }
        }
        Ok(())
    }

    async fn list_new_posts(
        &self,
        conn: &Connection,
        deep: bool,
        scopes: &[crate::domain::Scope],
    ) -> Result<(Vec<PostUpsert>, Option<HighWater>), Listing> {
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
            let mut past_cutoff = false;
            for p in page.posts {
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
                let hashtags = find_hashtags(p.title.as_deref(), &p.text, &p.keyword_tags);
                let attribution = attribute(conn.creator, published_at, &hashtags, scopes);
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
                    attribution,
                });
            }
            match page.next {
                Some(next) if !past_cutoff && upserts.len() < MAX_POSTS_PER_DISCOVERY => {
                    cursor = Some(next)
                }
                _ => break,
            }
        }
        Ok((upserts, newest))
    }
}

/// Listing stopped (an error already handled and counted).
enum Listing {
    Stop,
}
