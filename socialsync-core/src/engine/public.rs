//! Reads without a creator's token: the due posts of many connections read
//! together with the platform's own key (YouTube: 50 videos of any
//! channels a call), before each connection's own scan (ARCHITECTURE.md
//! §4a). A post this read leaves out is read with its creator's token, as
//! every post was before; nothing is judged by this read's silence.

use super::auth::{Refresh, refreshable};
use super::decide;
use super::{CycleReport, Engine, EngineError};
use crate::clock::Timestamp;
use crate::credentials::VersionedCredentials;
use crate::domain::{Connection, PostState};
use crate::ids::{ConnectionId, PostId};
use crate::platform::{AccountRef, MetricsRequest, Platform, PlatformErrorKind, PostReading};
use crate::store::ClaimedPost;
use chrono::TimeDelta;
use futures::FutureExt;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::AssertUnwindSafe;

/// How many posts the engine remembers as not publicly readable; past it
/// the memory starts afresh (those posts cost one public try each again).
const TOKEN_ONLY_MEMORY: usize = 1_000_000;

/// How long due posts may wait for a public read to fill its batch, while
/// the engine runs often enough to come back in time (its last scan run
/// was at most half this ago): a few minutes late on an hourly slot, for
/// calls of 50 ids instead of one per tick.
pub const PUBLIC_GATHER: TimeDelta = TimeDelta::minutes(5);

/// How long a public read may wait to fill its call under `policy`:
/// [`PUBLIC_GATHER`], at most half a scan interval.
pub(crate) fn public_wait(policy: &crate::policy::MonitoringPolicy) -> TimeDelta {
    PUBLIC_GATHER.min(policy.scan_interval / 2)
}

/// How long a post the key could not see is read with the token only
/// before the key is tried again (it may be public again).
pub(super) const TOKEN_ONLY_FOR: TimeDelta = TimeDelta::days(1);

/// How long a token may go unused before a scan that read every post
/// publicly uses it anyway: a revoked token is noticed within this.
pub(super) const TOKEN_PROOF_INTERVAL: TimeDelta = TimeDelta::hours(1);

/// Posts a public read left out (private, unlisted, gone), with when: read
/// with their creator's token for [`TOKEN_ONLY_FOR`], so no id is sent
/// twice in one slot, then tried with the key again.
#[derive(Debug, Default)]
pub(super) struct TokenOnly(std::sync::Mutex<HashMap<PostId, Timestamp>>);

impl TokenOnly {
    fn contains(&self, post: &PostId, now: Timestamp) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(post) {
            // A time ahead of now (a clock set back) counts from now.
            Some(since) if now - (*since).min(now) < TOKEN_ONLY_FOR => true,
            Some(_) => {
                map.remove(post);
                false
            }
            None => false,
        }
    }

    fn insert(&self, posts: impl IntoIterator<Item = PostId>, now: Timestamp) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for p in posts {
            if map.len() >= TOKEN_ONLY_MEMORY {
                map.clear();
            }
            map.insert(p, now);
        }
    }
}

/// Readings taken with platforms' own keys, by post: each connection's scan
/// takes its own and reads the rest with its token.
pub(super) type PublicReadings = HashMap<PostId, PostReading>;

/// What a public pass came to: readings, and posts held back to fill a
/// fuller call (pooled until the run's end, then read or given back for a
/// later run, within [`PUBLIC_GATHER`] of their slot).
#[derive(Debug, Default)]
pub(super) struct PublicPass {
    /// Readings by post.
    pub(super) readings: PublicReadings,
    /// Posts held back.
    pub(super) held: HashSet<PostId>,
}

impl Engine {
    /// Reads publicly every claimed post that may be read so: a
    /// `Monitoring` post, inside its window, of an active connection whose
    /// token is not suspect, on a platform with public reads, and not known
    /// to need its creator's token. Each id is asked once. A call that
    /// fails (a rate limit, a quota, a panic in the platform's code) costs
    /// no post anything: those posts are read with their tokens, and after
    /// a rate limit no more public calls are made to that platform in this
    /// pass. While `gathering`, a last call that would not be full waits,
    /// unless its oldest post has waited [`PUBLIC_GATHER`].
    pub(super) async fn read_public(
        &self,
        groups: &BTreeMap<ConnectionId, Vec<ClaimedPost>>,
        gathering: bool,
    ) -> PublicPass {
        let mut pass = PublicPass::default();
        let now = self.now();
        let mut wanted: BTreeMap<Platform, Vec<&ClaimedPost>> = BTreeMap::new();
        for (id, claims) in groups {
            let Some(platform) = claims.first().map(|c| c.post.platform) else {
                continue;
            };
            if self.public_batch(platform) == 0 {
                continue;
            }
            match self.inner.store.get_connection(*id).await {
                Ok(Some(c)) if c.status.is_active() && c.health.suspect.is_none() => {}
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(connection = %id, error = %e, "connection unread; its posts are read with its token");
                    continue;
                }
            }
            let posts = wanted.entry(platform).or_default();
            posts.extend(claims.iter().filter(|c| {
                c.post.state == PostState::Monitoring
                    && !decide::too_late(c, &self.inner.policy, now)
                    && !self.inner.token_only.contains(&c.post.id, now)
            }));
        }
        for (platform, posts) in wanted {
            self.read_public_of(platform, posts, gathering, &mut pass)
                .await;
        }
        pass
    }

    fn public_batch(&self, platform: Platform) -> usize {
        self.platform(platform)
            .map_or(0, |p| p.capabilities().public_batch)
    }

    async fn read_public_of(
        &self,
        platform: Platform,
        posts: Vec<&ClaimedPost>,
        gathering: bool,
        pass: &mut PublicPass,
    ) {
        let Ok(api) = self.platform(platform) else {
            return;
        };
        let batch = api.capabilities().public_batch;
        if batch == 0 {
            return;
        }
        // One post per id, whoever claimed it; the longest due first.
        let now = self.now();
        let mut seen = HashSet::new();
        let mut posts: Vec<&ClaimedPost> = posts
            .into_iter()
            .filter(|c| seen.insert(&c.post.platform_post_id))
            .collect();
        let due = |c: &ClaimedPost| c.post.next_scan_at.min(now);
        posts.sort_by_key(|c| (due(c), c.post.id));
        let policy = &self.inner.policy;
        // Never longer than half a slot, and never past a post's last
        // chance to be read (its window's end and a lease), counting the
        // next run's delay.
        let wait = public_wait(policy);
        let in_time =
            |c: &&ClaimedPost| now + wait + PUBLIC_GATHER / 2 < c.post.monitor_until + policy.lease;
        for chunk in posts.chunks(batch) {
            if gathering
                && chunk.len() < batch
                && chunk.first().is_some_and(|c| now - due(c) < wait)
                && chunk.iter().all(in_time)
            {
                pass.held.extend(chunk.iter().map(|c| c.post.id));
                continue;
            }
            let requests: Vec<MetricsRequest> = chunk
                .iter()
                .map(|c| MetricsRequest {
                    id: c.post.platform_post_id.clone(),
                    kind: c.post.kind,
                })
                .collect();
            let answer = AssertUnwindSafe(api.fetch_public_metrics(&requests))
                .catch_unwind()
                .await;
            let answer = match answer {
                Ok(Ok(a)) => a,
                Ok(Err(e)) => {
                    tracing::info!(%platform, error = %e, "public read failed; those posts are read with their creators' tokens");
                    if matches!(e.kind, PlatformErrorKind::RateLimited { .. }) {
                        return;
                    }
                    continue;
                }
                Err(_) => {
                    tracing::error!(%platform, "public read panicked; those posts are read with their creators' tokens");
                    continue;
                }
            };
            let by_id: HashMap<_, _> = chunk
                .iter()
                .map(|c| (&c.post.platform_post_id, c.post.id))
                .collect();
            for r in answer.readings {
                // Only ids asked, each once: the first answer holds.
                if let Some(&post) = by_id.get(&r.id) {
                    pass.readings.entry(post).or_insert(r);
                }
            }
            // Only what the key could not see needs the token from now on;
            // an item the answer garbled ("failed") is tried again.
            let missing: HashSet<_> = answer.missing.iter().collect();
            self.inner.token_only.insert(
                chunk
                    .iter()
                    .filter(|c| {
                        missing.contains(&c.post.platform_post_id)
                            && !pass.readings.contains_key(&c.post.id)
                    })
                    .map(|c| c.post.id),
                now,
            );
        }
    }

    /// After a scan that read every post publicly, proves `conn`'s token
    /// still works when no call used it for [`TOKEN_PROOF_INTERVAL`]: a
    /// refresh where the platform refreshes, else an account read. A
    /// refused token disconnects the connection as any call would. Whether
    /// the token worked (or was not due for a proof).
    pub(super) async fn prove_token(
        &self,
        conn: &Connection,
        creds: &VersionedCredentials,
        report: &mut CycleReport,
    ) -> Result<bool, EngineError> {
        let now = self.now();
        // An issue time ahead of now (a skewed clock, a platform's value)
        // proves nothing.
        let issued = creds.credentials.issued_at.filter(|i| *i <= now);
        if issued.is_some_and(|i| now - i < TOKEN_PROOF_INTERVAL) {
            return Ok(true);
        }
        let platform = self.platform(conn.platform)?.clone();
        if refreshable(platform.capabilities().refresh, creds) {
            return Ok(match self.refresh(conn, creds).await? {
                Refresh::Fresh(_) | Refresh::NotNow => true,
                Refresh::Refused(reason) => {
                    if self.disconnect(conn, creds.version, reason).await? {
                        report.disconnections += 1;
                    }
                    false
                }
            });
        }
        let account = AccountRef {
            account_id: &conn.account_id,
            credentials: &creds.credentials,
        };
        match platform.get_account(account).await {
            Ok(_) => Ok(true),
            Err(e) => {
                match e.kind {
                    PlatformErrorKind::TokenInvalid(reason) => {
                        self.on_token_invalid(conn, creds, reason).await?;
                    }
                    _ => self.on_call_error(conn, &e).await,
                }
                Ok(false)
            }
        }
    }
}
