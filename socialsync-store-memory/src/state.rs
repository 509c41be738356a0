//! The store's state: [`Inner`], its rows and the helpers its operations
//! share. The operations, each run under one lock, live in one module per
//! concern, as the PostgreSQL store's do.

mod budget;
mod config;
mod connections;
mod credentials;
mod deliveries;
mod notices;
mod posts;
mod reports;
mod scans;

use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::{
    Brand, Connection, Creator, DeletedSpan, Disconnection, Post, Scope, Snapshot,
};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::metrics::{AggregateHour, CounterDelta};
use socialsync_core::platform::Platform;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;

use crate::due::DueQueue;

/// Which aggregate series a delta goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AggKey {
    Scope(ScopeId),
    Brand(BrandId),
}

#[derive(Debug)]
pub(crate) struct ConnRow {
    pub(crate) conn: Connection,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) refresh_lease: Option<(LeaseToken, Timestamp)>,
    pub(crate) discovery_lease: Option<(LeaseToken, Timestamp)>,
}

#[derive(Debug)]
pub(crate) struct DiscRow {
    pub(crate) disconnection: Disconnection,
    pub(crate) notified: bool,
    pub(crate) claim_until: Timestamp,
}

#[derive(Debug)]
pub(crate) struct PostRow {
    pub(crate) post: Post,
    /// The attribution's brands (sorted, once each) and scopes, shared with claims.
    pub(crate) brands: Arc<[BrandId]>,
    pub(crate) scopes: Arc<[ScopeId]>,
    pub(crate) lease: Option<(LeaseToken, Timestamp)>,
    pub(crate) last_applied: Option<LeaseToken>,
    pub(crate) snapshots: Vec<Snapshot>,
    /// When it was `Deleted`, oldest first.
    pub(crate) deleted: Vec<DeletedSpan>,
}

impl PostRow {
    /// The due queue's entry for this post: `(due time, post)` while it is
    /// monitored, has a due time and is not leased.
    fn due_entry(&self) -> Option<(Timestamp, PostId)> {
        let queued = self.post.state.is_scheduled() && self.lease.is_none();
        self.post
            .next_scan_at
            .filter(|_| queued)
            .map(|t| (t, self.post.id))
    }
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    next_id: i64,
    next_token: u128,
    brands: BTreeMap<BrandId, Brand>,
    creators: BTreeMap<CreatorId, Creator>,
    scopes: BTreeMap<ScopeId, Scope>,
    revision: u64,
    connections: BTreeMap<ConnectionId, ConnRow>,
    by_account: HashMap<(Platform, PlatformAccountId), ConnectionId>,
    platform_backoff: HashMap<Platform, Timestamp>,
    disconnections: BTreeMap<DisconnectionId, DiscRow>,
    posts: Vec<PostRow>,
    by_key: HashMap<(Platform, PlatformPostId), PostId>,
    /// Candidate due entries `(next_scan_at, post)`, earliest first. Entries
    /// go stale when a post moves on (claimed, rescheduled, paused); a claim
    /// checks each popped entry against the post and drops stale ones.
    due: DueQueue,
    /// Leases `(until, post, token)` in the order they were taken, stale
    /// once completed or released; a claim pops the lapsed ones and makes
    /// their posts due. Lease ends almost always grow with time, so a queue
    /// holds them; one that ends before the last queued goes to `early_leases`.
    leases: VecDeque<(Timestamp, PostId, LeaseToken)>,
    /// Leases that end before the last queued one, earliest first.
    early_leases: BinaryHeap<Reverse<(Timestamp, PostId, LeaseToken)>>,
    scope_posts: HashMap<ScopeId, BTreeSet<PostId>>,
    brand_posts: HashMap<BrandId, BTreeSet<PostId>>,
    aggregates: HashMap<AggKey, BTreeMap<AggregateHour, CounterDelta>>,
    budgets: HashMap<(String, Timestamp), u64>,
    /// Webhook deliveries seen, by key.
    deliveries: HashMap<String, DeliveryRecord>,
    pub(crate) history_cap: Option<usize>,
}

impl Inner {
    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn token(&mut self) -> LeaseToken {
        self.next_token += 1;
        // Mix in a per-store constant so tokens differ between stores too.
        LeaseToken(self.next_token ^ (0x5eed_u128 << 96))
    }

    /// The connection's row, or `NotFound`.
    fn conn_mut(&mut self, id: ConnectionId) -> StoreResult<&mut ConnRow> {
        self.connections
            .get_mut(&id)
            .ok_or_else(|| StoreError::not_found("connection", id))
    }

    /// Takes `lease` for `token` until `until` unless another holds it past `now`.
    fn take_lease(
        lease: &mut Option<(LeaseToken, Timestamp)>,
        token: LeaseToken,
        now: Timestamp,
        until: Timestamp,
    ) -> Option<LeaseToken> {
        if lease.is_some_and(|(_, u)| u > now) {
            return None;
        }
        *lease = Some((token, until));
        Some(token)
    }

    /// The post's row, or `NotFound`.
    fn row(&self, id: PostId) -> StoreResult<&PostRow> {
        usize::try_from(id.0 - 1)
            .ok()
            .and_then(|i| self.posts.get(i))
            .ok_or_else(|| StoreError::not_found("post", id))
    }

    /// The index of the post's row in `posts`, or `NotFound`.
    fn row_index(&self, id: PostId) -> StoreResult<usize> {
        usize::try_from(id.0 - 1)
            .ok()
            .filter(|i| *i < self.posts.len())
            .ok_or_else(|| StoreError::not_found("post", id))
    }
}

/// A webhook delivery's record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeliveryRecord {
    /// Until when it is kept.
    keep_until: Timestamp,
    /// While handled: until when the handler's claim lasts; `None` once
    /// handled.
    claimed_until: Option<Timestamp>,
    /// The token of the latest claim.
    token: LeaseToken,
}
