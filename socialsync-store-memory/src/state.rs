//! The store's state and its operations, each run under one lock.

use socialsync_core::clock::Timestamp;
use socialsync_core::credentials::{Credentials, VersionedCredentials};
use socialsync_core::domain::{
    Attribution, Brand, Connection, Creator, DeletedSpan, Disconnection, Due, LastProblem, Lister,
    Post, PostCountCheck, PostCountVerdict, PostEvent, PostState, Scope, ScopeKind, Snapshot,
    StatusKind, record_lister, successor, takes_over,
};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::*;
use socialsync_core::metrics::{AggregateHour, CounterDelta, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::store::*;
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

    // ----- configuration ---------------------------------------------------------

    pub(crate) fn create_brand(&mut self, new: NewBrand, now: Timestamp) -> Brand {
        let brand = Brand {
            id: BrandId(self.id()),
            name: new.name,
            created_at: now,
        };
        self.brands.insert(brand.id, brand.clone());
        brand
    }

    pub(crate) fn get_brand(&self, id: BrandId) -> Option<Brand> {
        self.brands.get(&id).cloned()
    }

    pub(crate) fn create_creator(&mut self, new: NewCreator, now: Timestamp) -> Creator {
        let creator = Creator {
            id: CreatorId(self.id()),
            name: new.name,
            external_ref: new.external_ref,
            created_at: now,
        };
        self.creators.insert(creator.id, creator.clone());
        creator
    }

    pub(crate) fn get_creator(&self, id: CreatorId) -> Option<Creator> {
        self.creators.get(&id).cloned()
    }

    fn check_creators(&self, creators: &[CreatorId]) -> StoreResult<()> {
        match creators.iter().find(|c| !self.creators.contains_key(c)) {
            Some(c) => Err(StoreError::not_found("creator", c)),
            None => Ok(()),
        }
    }

    pub(crate) fn create_scope(&mut self, new: NewScope, now: Timestamp) -> StoreResult<Scope> {
        if !self.brands.contains_key(&new.brand) {
            return Err(StoreError::not_found("brand", new.brand));
        }
        self.check_creators(&new.members)?;
        if new.hashtags.is_empty() {
            return Err(StoreError::InvalidInput(
                "a scope needs at least one hashtag".into(),
            ));
        }
        let scope = Scope {
            id: ScopeId(self.id()),
            brand: new.brand,
            name: new.name,
            kind: new.kind,
            hashtags: new.hashtags,
            members: new.members.into_iter().collect(),
            match_keyword_tags: new.match_keyword_tags,
            created_at: now,
        };
        self.scopes.insert(scope.id, scope.clone());
        self.revision += 1;
        Ok(scope)
    }

    pub(crate) fn get_scope(&self, brand: BrandId, id: ScopeId) -> Option<Scope> {
        self.scopes.get(&id).filter(|s| s.brand == brand).cloned()
    }

    pub(crate) fn list_scopes(&self, brand: BrandId) -> Vec<Scope> {
        self.scopes
            .values()
            .filter(|s| s.brand == brand)
            .cloned()
            .collect()
    }

    pub(crate) fn list_scopes_for_creator(&self, creator: CreatorId) -> Vec<Scope> {
        self.scopes
            .values()
            .filter(|s| s.members.contains(&creator))
            .cloned()
            .collect()
    }

    pub(crate) fn update_scope(
        &mut self,
        brand: BrandId,
        id: ScopeId,
        change: ScopeChange,
    ) -> StoreResult<Scope> {
        if self.get_scope(brand, id).is_none() {
            return Err(StoreError::not_found("scope", id));
        }
        if let ScopeChange::AddMembers(c) = &change {
            self.check_creators(c)?;
        }
        let scope = self
            .scopes
            .get_mut(&id)
            .ok_or_else(|| StoreError::not_found("scope", id))?;
        match change {
            ScopeChange::SetHashtags(tags) => {
                if tags.is_empty() {
                    return Err(StoreError::InvalidInput(
                        "a scope needs at least one hashtag".into(),
                    ));
                }
                scope.hashtags = tags;
            }
            ScopeChange::AddMembers(c) => scope.members.extend(c),
            ScopeChange::RemoveMembers(c) => {
                for m in c {
                    scope.members.remove(&m);
                }
            }
            ScopeChange::SetWindow(w) => match &mut scope.kind {
                ScopeKind::Campaign { window } => {
                    if w.is_some_and(|w| !w.is_valid()) {
                        return Err(StoreError::InvalidInput(
                            "window ends before it starts".into(),
                        ));
                    }
                    *window = w;
                }
                ScopeKind::Program => {
                    return Err(StoreError::InvalidInput(
                        "a creator program has no window".into(),
                    ));
                }
            },
            ScopeChange::SetMatchKeywordTags(b) => scope.match_keyword_tags = b,
        }
        let scope = scope.clone();
        self.revision += 1;
        Ok(scope)
    }

    pub(crate) fn revision(&self) -> u64 {
        self.revision
    }

    // ----- connections -----------------------------------------------------------

    fn conn_mut(&mut self, id: ConnectionId) -> StoreResult<&mut ConnRow> {
        self.connections
            .get_mut(&id)
            .ok_or_else(|| StoreError::not_found("connection", id))
    }

    pub(crate) fn connect(&mut self, new: NewConnection, now: Timestamp) -> StoreResult<Connected> {
        if !self.creators.contains_key(&new.creator) {
            return Err(StoreError::not_found("creator", new.creator));
        }
        let key = (new.platform, new.account_id.clone());
        let Some(&id) = self.by_account.get(&key) else {
            let id = ConnectionId(self.id());
            let conn = Connection::opened(
                id,
                new.creator,
                new.platform,
                new.account_id,
                new.handle,
                now,
            );
            self.connections.insert(
                id,
                ConnRow {
                    conn: conn.clone(),
                    credentials: Some(new.credentials),
                    refresh_lease: None,
                    discovery_lease: None,
                },
            );
            self.by_account.insert(key, id);
            return Ok(Connected {
                connection: conn,
                previous: None,
                resumed_posts: 0,
                expired_posts: 0,
            });
        };
        let row = self.conn_mut(id)?;
        row.credentials = Some(new.credentials);
        let previous = row.conn.reconnect(new.handle, new.creator, now);
        let conn = row.conn.clone();
        let (mut resumed, mut expired) = (0, 0);
        if previous != StatusKind::Active {
            for row in &mut self.posts {
                if row.post.connection != id {
                    continue;
                }
                let before = row.post.state;
                let after = row.post.apply(PostEvent::ConnectionResumed, now);
                if before == after.state {
                    continue;
                }
                match after.state {
                    PostState::Monitoring => resumed += 1,
                    PostState::Expired => expired += 1,
                    _ => {}
                }
                if let Some((t, id)) = row.due_entry() {
                    self.due.push(t, id);
                }
            }
        }
        Ok(Connected {
            connection: conn,
            previous: Some(previous),
            resumed_posts: resumed,
            expired_posts: expired,
        })
    }

    pub(crate) fn get_connection(&self, id: ConnectionId) -> Option<Connection> {
        self.connections.get(&id).map(|r| r.conn.clone())
    }

    pub(crate) fn get_connection_by_account(
        &self,
        platform: Platform,
        account: &PlatformAccountId,
    ) -> Option<Connection> {
        self.by_account
            .get(&(platform, account.clone()))
            .and_then(|id| self.get_connection(*id))
    }

    pub(crate) fn list_connections(&self, f: &ConnectionFilter) -> Vec<Connection> {
        self.connections
            .values()
            .map(|r| &r.conn)
            .filter(|c| f.creator.is_none_or(|x| c.creator == x))
            .filter(|c| f.platform.is_none_or(|x| c.platform == x))
            .filter(|c| {
                f.statuses
                    .as_ref()
                    .is_none_or(|s| s.contains(&c.status.kind()))
            })
            .cloned()
            .collect()
    }

    pub(crate) fn disconnect(&mut self, req: DisconnectRequest) -> StoreResult<Disconnection> {
        let row = self.conn_mut(req.connection)?;
        if let Some(d) = row.conn.check_disconnect(req.credentials_version)? {
            let mut existing = self
                .disconnections
                .get(&d)
                .map(|r| r.disconnection.clone())
                .ok_or_else(|| StoreError::Corrupt(format!("{d} missing")))?;
            existing.newly_disconnected = false;
            return Ok(existing);
        }
        let at = row.conn.status_change_at(req.at);
        let creator = row.conn.creator;
        let platform = row.conn.platform;
        self.next_id += 1;
        let did = DisconnectionId(self.next_id);
        let row = self.conn_mut(req.connection)?;
        row.conn.disconnect(did, req.reason.clone(), at);
        let active: BTreeSet<ConnectionId> = self
            .connections
            .values()
            .filter(|r| r.conn.status.is_active())
            .map(|r| r.conn.id)
            .collect();
        for row in &mut self.posts {
            if row.post.connection != req.connection {
                continue;
            }
            // Another active lister takes the post over, state and due time kept.
            match successor(req.connection, &row.post.listers, |c| active.contains(&c)) {
                Some(next) => {
                    row.post.connection = next.connection;
                    row.post.creator = next.creator;
                }
                None => {
                    row.post.apply(PostEvent::ConnectionDisconnected, at);
                }
            }
        }
        let d = Disconnection {
            id: did,
            connection: req.connection,
            creator,
            platform,
            since: at,
            reason: req.reason,
            newly_disconnected: true,
        };
        self.disconnections.insert(
            did,
            DiscRow {
                disconnection: d.clone(),
                notified: false,
                claim_until: req.notify_claim_until,
            },
        );
        Ok(d)
    }

    pub(crate) fn reset_connection(
        &mut self,
        id: ConnectionId,
        now: Timestamp,
    ) -> StoreResult<Connection> {
        let row = self.conn_mut(id)?;
        row.conn.reset(now)?;
        row.credentials = None;
        row.refresh_lease = None;
        row.discovery_lease = None;
        Ok(row.conn.clone())
    }

    pub(crate) fn get_credentials(
        &self,
        id: ConnectionId,
    ) -> StoreResult<Option<VersionedCredentials>> {
        let row = self
            .connections
            .get(&id)
            .ok_or_else(|| StoreError::not_found("connection", id))?;
        Ok(row
            .credentials
            .clone()
            .map(|credentials| VersionedCredentials {
                version: row.conn.credentials_version,
                credentials,
            }))
    }

    pub(crate) fn swap_credentials(
        &mut self,
        id: ConnectionId,
        expected: u64,
        credentials: Credentials,
    ) -> StoreResult<u64> {
        let row = self.conn_mut(id)?;
        if row.credentials.is_none() {
            return Err(StoreError::InvalidState(format!(
                "{id} holds no credentials (reset)"
            )));
        }
        if row.conn.credentials_version != expected {
            return Err(StoreError::Conflict(format!(
                "{id}: credentials are at version {}, not {expected}",
                row.conn.credentials_version
            )));
        }
        row.credentials = Some(credentials);
        row.conn.credentials_version += 1;
        Ok(row.conn.credentials_version)
    }

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

    pub(crate) fn try_lock_refresh(
        &mut self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>> {
        let token = self.token();
        let row = self.conn_mut(id)?;
        Ok(Self::take_lease(&mut row.refresh_lease, token, now, until))
    }

    pub(crate) fn unlock_refresh(
        &mut self,
        id: ConnectionId,
        token: LeaseToken,
    ) -> StoreResult<()> {
        let row = self.conn_mut(id)?;
        if row.refresh_lease.is_some_and(|(t, _)| t == token) {
            row.refresh_lease = None;
        }
        Ok(())
    }

    pub(crate) fn record_health(
        &mut self,
        id: ConnectionId,
        update: HealthUpdate,
    ) -> StoreResult<()> {
        let h = &mut self.conn_mut(id)?.conn.health;
        match update {
            HealthUpdate::Success { at } => {
                h.last_success_at = Some(at);
                h.consecutive_failures = 0;
            }
            HealthUpdate::Failure { at, error } => {
                h.consecutive_failures = h.consecutive_failures.saturating_add(1);
                h.last_failure_at = Some(at);
                h.last_error = Some(error);
            }
            HealthUpdate::MissingPermissions(p) => h.missing_permissions = p,
            HealthUpdate::ReadingProblems { at, count, last } => {
                h.reading_problems = h.reading_problems.saturating_add(u64::from(count));
                h.last_reading_problem = Some(LastProblem { at, what: last });
            }
            HealthUpdate::SuspicionCleared => h.suspect = None,
        }
        Ok(())
    }

    pub(crate) fn check_post_count(
        &mut self,
        id: ConnectionId,
        check: PostCountCheck,
    ) -> StoreResult<PostCountVerdict> {
        Ok(self.conn_mut(id)?.conn.check_post_count(check))
    }

    pub(crate) fn set_backoff(
        &mut self,
        target: BackoffTarget,
        until: Timestamp,
    ) -> StoreResult<()> {
        match target {
            BackoffTarget::Connection(id) => {
                let b = &mut self.conn_mut(id)?.conn.backoff_until;
                *b = Some(b.map_or(until, |u| u.max(until)));
            }
            BackoffTarget::Platform(p) => {
                let b = self.platform_backoff.entry(p).or_insert(until);
                *b = (*b).max(until);
            }
        }
        Ok(())
    }

    pub(crate) fn get_platform_backoff(&self, p: Platform) -> Option<Timestamp> {
        self.platform_backoff.get(&p).copied()
    }

    pub(crate) fn claim_pending_notifications(
        &mut self,
        now: Timestamp,
        claim_until: Timestamp,
        limit: usize,
    ) -> Vec<Disconnection> {
        let mut out = Vec::new();
        for row in self.disconnections.values_mut() {
            if out.len() >= limit {
                break;
            }
            if !row.notified && row.claim_until <= now {
                row.claim_until = claim_until;
                let mut d = row.disconnection.clone();
                d.newly_disconnected = false;
                out.push(d);
            }
        }
        out
    }

    pub(crate) fn mark_notified(&mut self, id: DisconnectionId) -> StoreResult<()> {
        let row = self
            .disconnections
            .get_mut(&id)
            .ok_or_else(|| StoreError::not_found("disconnection", id))?;
        row.notified = true;
        Ok(())
    }

    // ----- discovery -------------------------------------------------------------

    pub(crate) fn try_claim_discovery(
        &mut self,
        id: ConnectionId,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<LeaseToken>> {
        let token = self.token();
        let row = self.conn_mut(id)?;
        Ok(Self::take_lease(
            &mut row.discovery_lease,
            token,
            now,
            until,
        ))
    }

    pub(crate) fn finish_discovery(
        &mut self,
        id: ConnectionId,
        token: LeaseToken,
        progress: DiscoveryProgress,
    ) -> StoreResult<()> {
        let row = self.conn_mut(id)?;
        if row.discovery_lease.is_none_or(|(t, _)| t != token) {
            return Err(StoreError::LeaseLost);
        }
        row.discovery_lease = None;
        let at = progress.at;
        row.conn.last_discovery_at = Some(at);
        if progress.deep_pass {
            row.conn.last_deep_pass_at = Some(at);
        }
        if let Some(hw) = progress.high_water {
            if row.conn.high_water.as_ref().is_none_or(|old| hw > *old) {
                row.conn.high_water = Some(hw);
            }
        }
        row.conn.matched_revision = row.conn.matched_revision.max(progress.matched_revision);
        Ok(())
    }

    fn row(&self, id: PostId) -> StoreResult<&PostRow> {
        usize::try_from(id.0 - 1)
            .ok()
            .and_then(|i| self.posts.get(i))
            .ok_or_else(|| StoreError::not_found("post", id))
    }

    fn row_index(&self, id: PostId) -> StoreResult<usize> {
        usize::try_from(id.0 - 1)
            .ok()
            .filter(|i| *i < self.posts.len())
            .ok_or_else(|| StoreError::not_found("post", id))
    }

    pub(crate) fn upsert_posts(
        &mut self,
        posts: Vec<PostUpsert>,
        now: Timestamp,
    ) -> StoreResult<Vec<UpsertedPost>> {
        // Check everything first, so a refused batch changes nothing.
        for p in &posts {
            let row = self
                .connections
                .get(&p.connection)
                .ok_or_else(|| StoreError::not_found("connection", p.connection))?;
            if row.conn.platform != p.platform {
                return Err(StoreError::InvalidInput(format!(
                    "{} is a {} connection, not {}",
                    p.connection, row.conn.platform, p.platform
                )));
            }
        }
        let mut out = Vec::with_capacity(posts.len());
        for p in posts {
            let key = (p.platform, p.platform_post_id.clone());
            let lister = Lister {
                connection: p.connection,
                creator: p.creator,
            };
            match self.by_key.get(&key).copied() {
                Some(id) => {
                    let i = self.row_index(id)?;
                    let previous = self.posts[i].post.state;
                    let owner = self.posts[i].post.connection;
                    let taken = takes_over(
                        owner,
                        self.is_active(owner),
                        p.connection,
                        self.is_active(p.connection),
                    );
                    {
                        let post = &mut self.posts[i].post;
                        record_lister(&mut post.listers, lister);
                        if taken || owner == p.connection {
                            post.connection = p.connection;
                            post.creator = p.creator;
                        }
                        post.kind = p.kind;
                        post.title = p.title;
                        post.text = p.text;
                        post.keyword_tags = p.keyword_tags;
                        post.permalink = p.permalink;
                        post.hashtags = p.hashtags;
                    }
                    let mut state = self.apply_attribution(i, p.attribution, now);
                    if taken {
                        state = self.resume(i, now);
                    }
                    out.push(UpsertedPost {
                        id,
                        created: false,
                        previous_state: Some(previous),
                        state,
                    });
                }
                None => {
                    let id = PostId(self.posts.len() as i64 + 1);
                    let post = Post {
                        id,
                        platform: p.platform,
                        platform_post_id: p.platform_post_id,
                        connection: p.connection,
                        creator: p.creator,
                        listers: vec![lister],
                        published_at: p.published_at,
                        anchored_at: p.anchored_at,
                        monitor_until: p.monitor_until,
                        next_scan_at: None,
                        state: PostState::Seen,
                        kind: p.kind,
                        title: p.title,
                        text: p.text,
                        keyword_tags: p.keyword_tags,
                        permalink: p.permalink,
                        hashtags: p.hashtags,
                        attribution: Vec::new(),
                        first_seen_at: now,
                        last_scanned_at: None,
                        scan_count: 0,
                    };
                    self.posts.push(PostRow {
                        post,
                        brands: Arc::from([]),
                        scopes: Arc::from([]),
                        lease: None,
                        last_applied: None,
                        snapshots: Vec::new(),
                        deleted: Vec::new(),
                    });
                    self.by_key.insert(key, id);
                    let state = self.apply_attribution(self.posts.len() - 1, p.attribution, now);
                    out.push(UpsertedPost {
                        id,
                        created: true,
                        previous_state: None,
                        state,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Whether `connection` is active.
    fn is_active(&self, connection: ConnectionId) -> bool {
        self.connections
            .get(&connection)
            .is_some_and(|r| r.conn.status.is_active())
    }

    /// The post at `i` was taken over by an active lister: a paused post
    /// resumes. Its state after.
    fn resume(&mut self, i: usize, now: Timestamp) -> PostState {
        let row = &mut self.posts[i];
        let before = row.post.state;
        let after = row.post.apply(PostEvent::ConnectionResumed, now).state;
        if let (false, Some((t, id))) = (before == PostState::Monitoring, row.due_entry()) {
            self.due.push(t, id);
        }
        after
    }

    pub(crate) fn set_attribution(
        &mut self,
        post: PostId,
        attribution: Vec<Attribution>,
        now: Timestamp,
    ) -> StoreResult<PostState> {
        let i = self.row_index(post)?;
        Ok(self.apply_attribution(i, attribution, now))
    }

    /// Replaces a post's attribution: moves its contributions between
    /// aggregates and applies the state rules.
    fn apply_attribution(
        &mut self,
        i: usize,
        attribution: Vec<Attribution>,
        now: Timestamp,
    ) -> PostState {
        let id = self.posts[i].post.id;
        let old_scopes: BTreeSet<ScopeId> = self.posts[i]
            .post
            .attribution
            .iter()
            .map(|a| a.scope)
            .collect();
        let new_scopes: BTreeSet<ScopeId> = attribution.iter().map(|a| a.scope).collect();
        let old_brands: BTreeSet<BrandId> = self.posts[i]
            .post
            .attribution
            .iter()
            .map(|a| a.brand)
            .collect();
        let new_brands: BTreeSet<BrandId> = attribution.iter().map(|a| a.brand).collect();
        let mut gone: Vec<AggKey> = old_scopes
            .difference(&new_scopes)
            .map(|s| AggKey::Scope(*s))
            .collect();
        gone.extend(
            old_brands
                .difference(&new_brands)
                .map(|b| AggKey::Brand(*b)),
        );
        let mut came: Vec<AggKey> = new_scopes
            .difference(&old_scopes)
            .map(|s| AggKey::Scope(*s))
            .collect();
        came.extend(
            new_brands
                .difference(&old_brands)
                .map(|b| AggKey::Brand(*b)),
        );
        if !gone.is_empty() || !came.is_empty() {
            let contributions = contributions(&self.posts[i].snapshots);
            for key in &gone {
                let series = self.aggregates.entry(*key).or_default();
                for (h, d) in &contributions {
                    series.entry(*h).or_default().sub(d);
                }
                match key {
                    AggKey::Scope(s) => {
                        self.scope_posts.entry(*s).or_default().remove(&id);
                    }
                    AggKey::Brand(b) => {
                        self.brand_posts.entry(*b).or_default().remove(&id);
                    }
                }
            }
            for key in &came {
                let series = self.aggregates.entry(*key).or_default();
                for (h, d) in &contributions {
                    series.entry(*h).or_default().add(d);
                }
                match key {
                    AggKey::Scope(s) => {
                        self.scope_posts.entry(*s).or_default().insert(id);
                    }
                    AggKey::Brand(b) => {
                        self.brand_posts.entry(*b).or_default().insert(id);
                    }
                }
            }
        }
        let active = self
            .connections
            .get(&self.posts[i].post.connection)
            .is_some_and(|c| c.conn.status.is_active());
        let row = &mut self.posts[i];
        let post = &mut row.post;
        let matched = !attribution.is_empty();
        let mut brands: Vec<BrandId> = attribution.iter().map(|a| a.brand).collect();
        brands.sort_unstable();
        brands.dedup();
        row.brands = Arc::from(brands);
        row.scopes = attribution.iter().map(|a| a.scope).collect();
        post.attribution = attribution;
        let before = post.state;
        let t = post.apply(
            PostEvent::Attributed {
                matched,
                connection_active: active,
            },
            now,
        );
        DeletedSpan::track(&mut row.deleted, before, t.state, now);
        // A new due time needs a queue entry (the old one is stale now).
        if let (Due::At(_), Some((t, id))) = (t.due, row.due_entry()) {
            self.due.push(t, id);
        }
        t.state
    }

    pub(crate) fn get_post(&self, id: PostId) -> Option<Post> {
        self.row(id).ok().map(|r| r.post.clone())
    }

    pub(crate) fn get_post_by_key(&self, platform: Platform, id: &PlatformPostId) -> Option<Post> {
        self.by_key
            .get(&(platform, id.clone()))
            .and_then(|pid| self.get_post(*pid))
    }

    pub(crate) fn list_posts(&self, f: &PostFilter) -> Vec<Post> {
        if let Some((platform, ids)) = &f.keys {
            let mut found: Vec<PostId> = ids
                .iter()
                .filter_map(|id| self.by_key.get(&(*platform, id.clone())))
                .copied()
                .collect();
            found.sort_unstable();
            found.dedup();
            let in_scope = |p: &Post| match (f.brand, f.scope) {
                (Some(b), Some(s)) => {
                    self.scopes.get(&s).is_some_and(|sc| sc.brand == b) && p.counts_for(s)
                }
                (Some(b), None) => p.counts_for_brand(b),
                (None, Some(_)) => false,
                (None, None) => true,
            };
            return found
                .into_iter()
                .filter_map(|id| self.row(id).ok())
                .map(|r| &r.post)
                .filter(|p| in_scope(p) && keeps(f, p))
                .cloned()
                .collect();
        }
        let candidates: Box<dyn Iterator<Item = &PostRow>> = match (f.brand, f.scope) {
            (Some(b), Some(s)) => {
                let ok = self.scopes.get(&s).is_some_and(|sc| sc.brand == b);
                let ids = if ok { self.scope_posts.get(&s) } else { None };
                Box::new(
                    ids.into_iter()
                        .flatten()
                        .filter_map(|id| self.row(*id).ok()),
                )
            }
            (Some(b), None) => Box::new(
                self.brand_posts
                    .get(&b)
                    .into_iter()
                    .flatten()
                    .filter_map(|id| self.row(*id).ok()),
            ),
            (None, Some(_)) => Box::new(std::iter::empty()),
            (None, None) => Box::new(self.posts.iter()),
        };
        candidates
            .map(|r| &r.post)
            .filter(|p| keeps(f, p))
            .cloned()
            .collect()
    }

    pub(crate) fn expire_paused_posts(&mut self, now: Timestamp) -> u64 {
        let mut n = 0;
        for row in &mut self.posts {
            let before = row.post.state;
            if row.post.apply(PostEvent::PausedSwept, now).state != before {
                n += 1;
            }
        }
        n
    }

    // ----- scans -----------------------------------------------------------------

    fn callable(&self, conn: ConnectionId, now: Timestamp) -> bool {
        self.connections.get(&conn).is_some_and(|r| {
            r.conn.is_callable(now)
                && self
                    .platform_backoff
                    .get(&r.conn.platform)
                    .is_none_or(|u| *u <= now)
        })
    }

    pub(crate) fn claim_due_posts(&mut self, req: ClaimRequest) -> Vec<ClaimedPost> {
        let now = req.now;
        let lease_until = req.lease_until;
        // Lapsed leases: the posts are due again at their unchanged due time.
        loop {
            let next = match (self.leases.front(), self.early_leases.peek()) {
                (Some(q), Some(Reverse(h))) if h.0 < q.0 => {
                    (h.0 <= now).then(|| self.early_leases.pop().map(|r| r.0))
                }
                (_, Some(Reverse(h))) if self.leases.is_empty() => {
                    (h.0 <= now).then(|| self.early_leases.pop().map(|r| r.0))
                }
                (Some(q), _) => (q.0 <= now).then(|| self.leases.pop_front()),
                _ => None,
            };
            let Some(Some((until, id, token))) = next else {
                break;
            };
            let Ok(i) = self.row_index(id) else { continue };
            let row = &mut self.posts[i];
            if row.lease == Some((token, until)) {
                row.lease = None;
                if let Some((t, id)) = row.due_entry() {
                    self.due.push(t, id);
                }
            }
        }
        let mut picked = Vec::new();
        let mut waiting = Vec::new();
        let mut callable: HashMap<ConnectionId, bool> = HashMap::new();
        let mut last: Option<(ConnectionId, bool)> = None;
        while picked.len() < req.limit {
            let Some((t, id)) = self.due.peek() else {
                break;
            };
            if t > now {
                break;
            }
            self.due.pop();
            let Ok(row) = self.row(id) else { continue };
            let current = row.post.state.is_scheduled()
                && row.post.next_scan_at == Some(t)
                && row.lease.is_none();
            if !current || picked.last() == Some(&(t, id)) {
                continue; // stale or duplicate entry
            }
            let conn = row.post.connection;
            // Due posts come in runs of one connection: ask the map only
            // when the connection changes.
            let ok = match last {
                Some((c, ok)) if c == conn => ok,
                _ => {
                    let ok = *callable
                        .entry(conn)
                        .or_insert_with(|| self.callable(conn, now));
                    last = Some((conn, ok));
                    ok
                }
            };
            if ok {
                picked.push((t, id));
            } else {
                waiting.push((t, id));
            }
        }
        // Posts of connections that cannot be called now stay due.
        for (t, id) in waiting {
            self.due.push(t, id);
        }
        let mut out = Vec::with_capacity(picked.len());
        for (t, id) in picked {
            let token = self.token();
            if self.leases.back().is_none_or(|b| b.0 <= lease_until) {
                self.leases.push_back((lease_until, id, token));
            } else {
                self.early_leases.push(Reverse((lease_until, id, token)));
            }
            let Ok(i) = self.row_index(id) else { continue };
            let row = &mut self.posts[i];
            row.lease = Some((token, lease_until));
            let p = &row.post;
            out.push(ClaimedPost {
                token,
                post: DuePost {
                    id,
                    platform: p.platform,
                    platform_post_id: p.platform_post_id.clone(),
                    connection: p.connection,
                    creator: p.creator,
                    kind: p.kind,
                    published_at: p.published_at,
                    anchored_at: p.anchored_at,
                    monitor_until: p.monitor_until,
                    next_scan_at: t,
                    state: p.state,
                    latest: row.snapshots.last().map(|s| s.metrics),
                    brands: row.brands.clone(),
                    scopes: row.scopes.clone(),
                },
            });
        }
        out
    }

    pub(crate) fn complete_scans(
        &mut self,
        completions: Vec<ScanCompletion>,
    ) -> Vec<CompletionOutcome> {
        completions
            .into_iter()
            .map(|c| self.complete_one(c))
            .collect()
    }

    fn complete_one(&mut self, c: ScanCompletion) -> CompletionOutcome {
        let Ok(i) = self.row_index(c.post) else {
            return CompletionOutcome::LeaseLost;
        };
        let at = c.at;
        let row = &mut self.posts[i];
        match row.lease {
            Some((t, _)) if t == c.token => row.lease = None,
            _ if row.last_applied == Some(c.token) => return CompletionOutcome::AlreadyApplied,
            _ => return CompletionOutcome::LeaseLost,
        }
        let row = &mut self.posts[i];
        row.last_applied = Some(c.token);
        let mut delta = None;
        if let ScanReading::Changed(reading) = c.reading {
            let prev = row.snapshots.last();
            if prev.is_none_or(|p| p.at < at) {
                let prev_carried = prev.map(|p| p.carried).unwrap_or_default();
                let carried = reading.carried_over(&prev_carried);
                delta = Some(CounterDelta::between(&prev_carried, &carried));
                row.snapshots.push(Snapshot {
                    post: c.post,
                    at,
                    metrics: reading,
                    carried,
                });
                if let Some(cap) = self.history_cap {
                    if row.snapshots.len() > cap {
                        let excess = row.snapshots.len() - cap;
                        row.snapshots.drain(..excess);
                    }
                }
            }
        }
        let post = &mut row.post;
        if c.reading.is_scan() {
            post.scan_count = post.scan_count.saturating_add(1);
            post.last_scanned_at = Some(at);
        }
        let before = post.state;
        let after = post.apply(PostEvent::Scanned(c.next), at).state;
        DeletedSpan::track(&mut row.deleted, before, after, at);
        if let Some((t, id)) = row.due_entry() {
            self.due.push(t, id);
        }
        if let Some(d) = delta.filter(|d| !d.is_zero()) {
            let h = AggregateHour::of(at);
            let mut brands: Vec<BrandId> = Vec::new();
            for a in &self.posts[i].post.attribution {
                self.aggregates
                    .entry(AggKey::Scope(a.scope))
                    .or_default()
                    .entry(h)
                    .or_default()
                    .add(&d);
                if !brands.contains(&a.brand) {
                    brands.push(a.brand);
                }
            }
            for b in brands {
                self.aggregates
                    .entry(AggKey::Brand(b))
                    .or_default()
                    .entry(h)
                    .or_default()
                    .add(&d);
            }
        }
        CompletionOutcome::Applied
    }

    pub(crate) fn release_claims(&mut self, releases: Vec<Release>) {
        for r in releases {
            let Ok(i) = self.row_index(r.post) else {
                continue;
            };
            let row = &mut self.posts[i];
            if row.lease.is_some_and(|(t, _)| t == r.token) {
                row.lease = None;
                if let Some((t, id)) = row.due_entry() {
                    self.due.push(t, id);
                }
            }
        }
    }

    pub(crate) fn list_snapshots(
        &self,
        post: PostId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Snapshot>> {
        let row = self.row(post)?;
        Ok(row
            .snapshots
            .iter()
            .filter(|s| s.at >= from && s.at < to)
            .cloned()
            .collect())
    }

    pub(crate) fn latest_snapshot(&self, post: PostId) -> StoreResult<Option<Snapshot>> {
        Ok(self.row(post)?.snapshots.last().cloned())
    }

    // ----- reports ---------------------------------------------------------------

    pub(crate) fn report_inputs(&self, q: ReportQuery) -> StoreResult<ReportInputs> {
        if !self.brands.contains_key(&q.brand) {
            return Err(StoreError::not_found("brand", q.brand));
        }
        let (ids, key) = match q.scope {
            Some(s) => {
                if self.get_scope(q.brand, s).is_none() {
                    return Err(StoreError::not_found("scope", s));
                }
                (self.scope_posts.get(&s), AggKey::Scope(s))
            }
            None => (self.brand_posts.get(&q.brand), AggKey::Brand(q.brand)),
        };
        let mut posts = Vec::new();
        let mut conns = BTreeSet::new();
        for id in ids.into_iter().flatten() {
            let row = self.row(*id)?;
            let p = &row.post;
            let before = |t: Timestamp| {
                let n = row.snapshots.partition_point(|s| s.at < t);
                n.checked_sub(1).map(|k| &row.snapshots[k])
            };
            let at_to = before(q.to);
            conns.insert(p.connection);
            posts.push(ReportPost {
                id: p.id,
                platform: p.platform,
                platform_post_id: p.platform_post_id.clone(),
                creator: p.creator,
                connection: p.connection,
                listers: p.listers.clone(),
                scopes: row.scopes.to_vec(),
                permalink: p.permalink.clone(),
                published_at: p.published_at,
                monitor_until: p.monitor_until,
                deleted: row.deleted.clone(),
                anchored_at: p.anchored_at,
                state: p.state,
                at_from: before(q.from).map(|s| s.carried),
                at_to: at_to.map(|s| s.carried),
                latest_before_to: at_to.map(|s| s.metrics),
            });
        }
        let mut boundaries: Vec<(Timestamp, CounterTotals)> = q
            .boundaries()
            .map(|b| (b, CounterTotals::default()))
            .collect();
        if let Some(series) = self.aggregates.get(&key) {
            let mut running = CounterDelta::default();
            let mut k = 0;
            for (h, d) in series {
                while k < boundaries.len() && h.start() >= boundaries[k].0 {
                    boundaries[k].1 = running.0;
                    k += 1;
                }
                running.add(d);
            }
            while k < boundaries.len() {
                boundaries[k].1 = running.0;
                k += 1;
            }
        }
        let connection_history = conns
            .into_iter()
            .filter_map(|c| {
                self.connections
                    .get(&c)
                    .map(|r| (c, r.conn.history.clone()))
            })
            .collect();
        Ok(ReportInputs {
            posts,
            boundaries,
            connection_history,
        })
    }

    // ----- budgets ---------------------------------------------------------------

    pub(crate) fn acquire_budget(&mut self, req: BudgetRequest) -> BudgetDecision {
        let start = req.window_start;
        let end = req.window_end;
        // Windows that ended before this one are of no use any more.
        self.budgets
            .retain(|(k, s), _| k != &req.key || *s >= start);
        let used = self.budgets.entry((req.key, start)).or_insert(0);
        if *used + req.cost <= req.limit {
            *used += req.cost;
            BudgetDecision::Granted { used: *used }
        } else {
            BudgetDecision::Exhausted { retry_at: end }
        }
    }
}

impl Inner {
    // ----- webhook deliveries ----------------------------------------------------

    pub(crate) fn claim_delivery(&mut self, claim: DeliveryClaimRequest) -> DeliveryClaim {
        let now = claim.now;
        self.deliveries.retain(|_, r| r.keep_until >= now);
        if let Some(r) = self.deliveries.get(&claim.key) {
            match r.claimed_until {
                None => return DeliveryClaim::Handled,
                Some(until) if until >= now => return DeliveryClaim::InProgress(until),
                // The handler never finished: this caller takes over.
                Some(_) => {}
            }
        }
        let token = self.token();
        self.deliveries.insert(
            claim.key,
            DeliveryRecord {
                keep_until: claim.keep_until,
                claimed_until: Some(claim.claim_until),
                token,
            },
        );
        DeliveryClaim::Claimed(token)
    }

    /// The delivery's record while `token` holds its claim.
    fn claimed_delivery(&mut self, key: &str, token: LeaseToken) -> Option<&mut DeliveryRecord> {
        self.deliveries
            .get_mut(key)
            .filter(|r| r.token == token && r.claimed_until.is_some())
    }

    pub(crate) fn finish_delivery(&mut self, key: &str, token: LeaseToken) {
        if let Some(r) = self.claimed_delivery(key, token) {
            r.claimed_until = None;
        }
    }

    pub(crate) fn forget_delivery(&mut self, key: &str, token: LeaseToken) {
        if self.claimed_delivery(key, token).is_some() {
            self.deliveries.remove(key);
        }
    }
}

/// Whether `p` passes the filters of `f` other than brand, scope and keys.
fn keeps(f: &PostFilter, p: &Post) -> bool {
    f.connection.is_none_or(|c| p.connection == c)
        && f.lister.is_none_or(|c| p.is_listed_by(c))
        && f.creator.is_none_or(|c| p.creator == c)
        && f.states.as_ref().is_none_or(|s| s.contains(&p.state))
        && f.monitor_until_after.is_none_or(|t| p.monitor_until > t)
}

/// A post's contributions to aggregates: per hour, the change of its
/// carried-forward counters.
fn contributions(snapshots: &[Snapshot]) -> Vec<(AggregateHour, CounterDelta)> {
    let mut prev = Metrics::new();
    snapshots
        .iter()
        .map(|s| {
            let d = CounterDelta::between(&prev, &s.carried);
            prev = s.carried;
            (AggregateHour::of(s.at), d)
        })
        .collect()
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
