//! [`FakePlatform`]: an in-process [`SocialPlatform`] with scripted posts,
//! metrics over time, token lifecycles, errors on demand and call counts.

use async_trait::async_trait;
use socialsync_core::clock::{Clock, Timestamp};
use socialsync_core::credentials::Credentials;
use socialsync_core::domain::{DisconnectReason, MediaKind};
use socialsync_core::ids::{PlatformAccountId, PlatformPostId};
use socialsync_core::metrics::{Metric, MetricSet, Metrics};
use socialsync_core::platform::Platform;
use socialsync_core::platform::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A platform operation, for scripted faults and call counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// `list_posts`.
    ListPosts,
    /// `fetch_metrics`.
    FetchMetrics,
    /// `get_post`.
    GetPost,
    /// `get_account`.
    GetAccount,
    /// `refresh_credentials`.
    Refresh,
    /// `fetch_public_metrics` (the app's own key; scripted faults for it
    /// name no account).
    FetchPublicMetrics,
}

/// How many calls of each operation were made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// `list_posts` calls.
    pub list_posts: u64,
    /// `fetch_metrics` calls.
    pub fetch_metrics: u64,
    /// `get_post` calls.
    pub get_post: u64,
    /// `get_account` calls.
    pub get_account: u64,
    /// `refresh_credentials` calls.
    pub refresh: u64,
    /// `fetch_public_metrics` calls.
    pub fetch_public_metrics: u64,
}

impl CallCounts {
    /// All calls.
    pub fn total(&self) -> u64 {
        self.list_posts
            + self.fetch_metrics
            + self.get_post
            + self.get_account
            + self.refresh
            + self.fetch_public_metrics
    }
}

#[derive(Debug, Default)]
struct Counters([AtomicU64; 6]);

/// A scripted post.
#[derive(Debug, Clone)]
pub struct FakePost {
    /// Its id.
    pub id: PlatformPostId,
    /// The account that published it.
    pub account: PlatformAccountId,
    /// When it became public (`None`: not public yet).
    pub published_at: Option<Timestamp>,
    /// Media kind.
    pub kind: MediaKind,
    /// Title.
    pub title: Option<String>,
    /// Caption or description.
    pub text: String,
    /// Keyword tags.
    pub keyword_tags: Vec<String>,
    /// Readings over time: from each instant on, these values.
    pub series: Vec<(Timestamp, Metrics)>,
    /// Deleted (answers drop it, single reads say not found).
    pub deleted: bool,
    /// Other accounts that list it and may read it (an Instagram collab post).
    pub collaborators: Vec<PlatformAccountId>,
    /// When it became visible, when that is not `published_at` (a platform
    /// that states a publish time it did not keep); `None`: at `published_at`.
    pub visible_from: Option<Timestamp>,
    /// Unlisted: its creator's token reads it, the app's key does not.
    pub unlisted: bool,
}

impl FakePost {
    /// A post of `account` published at `published_at` with caption `text`.
    pub fn new(id: &str, account: &str, published_at: Timestamp, text: &str) -> FakePost {
        FakePost {
            id: PlatformPostId::new(id),
            account: PlatformAccountId::new(account),
            published_at: Some(published_at),
            kind: MediaKind::Video,
            title: None,
            text: text.into(),
            keyword_tags: Vec::new(),
            series: Vec::new(),
            deleted: false,
            collaborators: Vec::new(),
            visible_from: None,
            unlisted: false,
        }
    }

    /// Also listed by `account`, which may read it too (an Instagram
    /// collab post).
    #[must_use]
    pub fn with_collaborator(mut self, account: &str) -> FakePost {
        self.collaborators.push(PlatformAccountId::new(account));
        self
    }

    /// Whether `account` published it or collaborates on it.
    fn listed_by(&self, account: &PlatformAccountId) -> bool {
        &self.account == account || self.collaborators.contains(account)
    }

    /// The post stays visible from the instant it was made with, but the
    /// platform states `published_at` as its publish time (say, a date far
    /// ahead).
    #[must_use]
    pub fn dated(mut self, published_at: Timestamp) -> FakePost {
        self.visible_from = self.visible_from.or(self.published_at);
        self.published_at = Some(published_at);
        self
    }

    /// From `at` on, the post reads `metrics`.
    #[must_use]
    pub fn reads(mut self, at: Timestamp, metrics: Metrics) -> FakePost {
        self.series.push((at, metrics));
        self.series.sort_by_key(|(t, _)| *t);
        self
    }

    /// The values at `now` (all absent before the first scripted reading).
    pub fn metrics_at(&self, now: Timestamp) -> Metrics {
        let n = self.series.partition_point(|(t, _)| *t <= now);
        n.checked_sub(1)
            .map(|i| self.series[i].1)
            .unwrap_or_default()
    }

    fn visible(&self, now: Timestamp) -> bool {
        !self.deleted && self.shown_by(now)
    }

    /// Whether listings at `now` hold it (deleted or not).
    fn shown_by(&self, now: Timestamp) -> bool {
        self.visible_from
            .or(self.published_at)
            .is_some_and(|p| p <= now)
            && self.published_at.is_some()
    }
}

#[derive(Debug)]
struct Account {
    handle: String,
    generation: u64,
    access_token: String,
    refresh_token: Option<String>,
    revoked: bool,
    broken_reads: bool,
    /// Calls that panic (a bug in an adapter or a dependency).
    panics: Vec<Op>,
    /// Listings answer empty pages with a fresh cursor, for ever.
    endless_pages: bool,
}

/// An error to return on demand.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Which operation.
    pub op: Op,
    /// Which account (`None`: any).
    pub account: Option<PlatformAccountId>,
    /// What to return.
    pub kind: PlatformErrorKind,
    /// How many more times.
    pub times: u32,
}

#[derive(Debug, Default)]
struct State {
    accounts: HashMap<PlatformAccountId, Account>,
    posts: HashMap<PlatformPostId, FakePost>,
    by_account: HashMap<PlatformAccountId, Vec<PlatformPostId>>,
    faults: Vec<Fault>,
    unsupported: Vec<(MediaKind, MetricSet)>,
    missing_permission: Option<(MetricSet, String)>,
    latency: Option<std::time::Duration>,
    /// Account reads give no post count.
    hide_post_counts: bool,
    /// Ids per `fetch_public_metrics` call (0: no public reads).
    public_batch: usize,
    /// Every id `fetch_public_metrics` was asked for, in order.
    public_asked: Vec<PlatformPostId>,
}

/// An in-process platform. One value serves many accounts.
#[derive(Debug)]
pub struct FakePlatform {
    platform: Platform,
    capabilities: Capabilities,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    counters: Counters,
}

impl FakePlatform {
    /// A fake of `platform` with that platform's batch size and refresh model.
    pub fn new(platform: Platform, clock: Arc<dyn Clock>) -> FakePlatform {
        let (max_batch, page_size, refresh) = match platform {
            Platform::Instagram => (
                1,
                25,
                RefreshModel::SelfRefreshing {
                    min_age: chrono::TimeDelta::hours(24),
                },
            ),
            Platform::TikTok => (20, 20, RefreshModel::RotatingRefreshToken),
            Platform::YouTube => (50, 50, RefreshModel::StableRefreshToken),
            // A platform added later: a plain OAuth profile until it has its own.
            _ => (20, 20, RefreshModel::StableRefreshToken),
        };
        FakePlatform {
            platform,
            capabilities: Capabilities {
                max_batch,
                page_size,
                metrics: MetricSet::all(),
                refresh,
                public_batch: 0,
            },
            clock,
            state: Mutex::new(State::default()),
            counters: Counters::default(),
        }
    }

    /// With another batch size.
    #[must_use]
    pub fn with_max_batch(mut self, n: usize) -> FakePlatform {
        self.capabilities.max_batch = n.max(1);
        self
    }

    /// Makes every metrics read take `latency` (tokio time) before it
    /// answers, as a real platform's round trip does.
    pub fn set_latency(&self, latency: std::time::Duration) {
        self.lock().latency = Some(latency);
    }

    /// With another page size.
    #[must_use]
    pub fn with_page_size(mut self, n: usize) -> FakePlatform {
        self.capabilities.page_size = n.max(1);
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn tokens(&self, account: &str, generation: u64) -> (String, Option<String>) {
        let refresh = match self.capabilities.refresh {
            RefreshModel::SelfRefreshing { .. } => None,
            _ => Some(format!("refresh-{account}-{generation}")),
        };
        (format!("access-{account}-{generation}"), refresh)
    }

    fn credentials(&self, access: &str, refresh: Option<&str>) -> Credentials {
        let mut c = Credentials::new(access).issued(self.clock.now());
        if let Some(r) = refresh {
            c = c.with_refresh_token(r);
        }
        c
    }

    /// Adds an account; returns the credentials its OAuth exchange would give.
    pub fn add_account(&self, id: &str, handle: &str) -> Credentials {
        let (access, refresh) = self.tokens(id, 1);
        let creds = self.credentials(&access, refresh.as_deref());
        self.lock().accounts.insert(
            PlatformAccountId::new(id),
            Account {
                handle: handle.into(),
                generation: 1,
                access_token: access,
                refresh_token: refresh,
                revoked: false,
                broken_reads: false,
                panics: Vec::new(),
                endless_pages: false,
            },
        );
        creds
    }

    /// Adds or replaces a post.
    pub fn add_post(&self, mut post: FakePost) {
        let mut s = self.lock();
        // One shared id per account, so reads compare pointers, not text.
        if let Some((shared, _)) = s.by_account.get_key_value(&post.account) {
            post.account = shared.clone();
        }
        if !s.posts.contains_key(&post.id) {
            for account in std::iter::once(&post.account).chain(&post.collaborators) {
                s.by_account
                    .entry(account.clone())
                    .or_default()
                    .push(post.id.clone());
            }
        }
        s.posts.insert(post.id.clone(), post);
    }

    /// Scripts a post's values from `at` on.
    pub fn set_metrics(&self, post: &str, at: Timestamp, metrics: Metrics) {
        if let Some(p) = self.lock().posts.get_mut(&PlatformPostId::new(post)) {
            p.series.push((at, metrics));
            p.series.sort_by_key(|(t, _)| *t);
        }
    }

    /// Replaces a post's script: from now on it reads `metrics` (cheap, for
    /// long runs that must not grow the script).
    pub fn set_current(&self, post: &PlatformPostId, metrics: Metrics) {
        if let Some(p) = self.lock().posts.get_mut(post) {
            p.series.clear();
            p.series.push((Timestamp::MIN, metrics));
        }
    }

    /// Edits a post's caption.
    pub fn set_text(&self, post: &str, text: &str) {
        if let Some(p) = self.lock().posts.get_mut(&PlatformPostId::new(post)) {
            p.text = text.into();
        }
    }

    /// Deletes a post on the platform.
    pub fn delete_post(&self, post: &str) {
        if let Some(p) = self.lock().posts.get_mut(&PlatformPostId::new(post)) {
            p.deleted = true;
        }
    }

    /// The creator makes a post private (`true`) or public again (`false`):
    /// while private the platform answers for it as for a deleted post
    /// (answers drop it, single reads say not found, listings and the
    /// account's post count leave it out).
    pub fn set_private(&self, post: &str, private: bool) {
        if let Some(p) = self.lock().posts.get_mut(&PlatformPostId::new(post)) {
            p.deleted = private;
        }
    }

    /// The creator makes a post unlisted (`true`) or public again
    /// (`false`): the app's key no longer reads it, its creator's token
    /// still does.
    pub fn set_unlisted(&self, post: &str, unlisted: bool) {
        if let Some(p) = self.lock().posts.get_mut(&PlatformPostId::new(post)) {
            p.unlisted = unlisted;
        }
    }

    /// The platform reads public posts of any account with the app's own
    /// key, `n` ids a call (0, the default: it reads none that way).
    pub fn set_public_batch(&self, n: usize) {
        self.lock().public_batch = n;
    }

    /// Every id `fetch_public_metrics` was asked for so far, in order.
    pub fn public_ids_asked(&self) -> Vec<PlatformPostId> {
        self.lock().public_asked.clone()
    }

    /// Account reads give no post count (`true`), or give it again.
    pub fn hide_post_counts(&self, hidden: bool) {
        self.lock().hide_post_counts = hidden;
    }

    /// The access token expires (a refresh, where the platform has one, works).
    pub fn expire_token(&self, account: &str) {
        let mut s = self.lock();
        if let Some(a) = s.accounts.get_mut(&PlatformAccountId::new(account)) {
            a.access_token = format!("expired-{}", a.access_token);
        }
    }

    /// The creator revokes the app: every call and every refresh is refused.
    pub fn revoke(&self, account: &str) {
        if let Some(a) = self
            .lock()
            .accounts
            .get_mut(&PlatformAccountId::new(account))
        {
            a.revoked = true;
        }
    }

    /// The creator authorizes again: new credentials.
    pub fn reauthorize(&self, account: &str) -> Credentials {
        let mut s = self.lock();
        let Some(a) = s.accounts.get_mut(&PlatformAccountId::new(account)) else {
            return Credentials::new("unknown-account");
        };
        a.revoked = false;
        a.generation += 1;
        let (access, refresh) = self.tokens(account, a.generation);
        a.access_token = access.clone();
        a.refresh_token = refresh.clone();
        drop(s);
        self.credentials(&access, refresh.as_deref())
    }

    /// A half-broken token: batch answers drop every id, single reads say not found.
    pub fn break_reads(&self, account: &str, broken: bool) {
        if let Some(a) = self
            .lock()
            .accounts
            .get_mut(&PlatformAccountId::new(account))
        {
            a.broken_reads = broken;
        }
    }

    /// Makes `op` panic for `account` (`true`) or not (`false`): a bug in an
    /// adapter or a dependency, which the engine must contain.
    pub fn panic_on(&self, account: &str, op: Op, panics: bool) {
        if let Some(a) = self
            .lock()
            .accounts
            .get_mut(&PlatformAccountId::new(account))
        {
            a.panics.retain(|o| *o != op);
            if panics {
                a.panics.push(op);
            }
        }
    }

    /// Makes `account`'s listings answer empty pages with a fresh next
    /// cursor, for ever (`true`), or normally (`false`).
    pub fn endless_pages(&self, account: &str, endless: bool) {
        if let Some(a) = self
            .lock()
            .accounts
            .get_mut(&PlatformAccountId::new(account))
        {
            a.endless_pages = endless;
        }
    }

    /// Returns `kind` for the next `times` calls of `op` (for `account`, or any).
    pub fn fail(&self, op: Op, account: Option<&str>, kind: PlatformErrorKind, times: u32) {
        self.lock().faults.push(Fault {
            op,
            account: account.map(PlatformAccountId::new),
            kind,
            times,
        });
    }

    /// Drops every scripted fault still pending.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// The platform no longer supports `metric` for `kind` posts.
    pub fn unsupported(&self, kind: MediaKind, metric: Metric) {
        let mut s = self.lock();
        match s.unsupported.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, set)) => *set = set.with(metric),
            None => s.unsupported.push((kind, MetricSet::EMPTY.with(metric))),
        }
    }

    /// The creator did not grant `permission`, which `metrics` need: those
    /// are absent and readings name the permission.
    pub fn withhold_permission(&self, metrics: MetricSet, permission: &str) {
        self.lock().missing_permission = Some((metrics, permission.into()));
    }

    /// Call counts so far.
    pub fn calls(&self) -> CallCounts {
        let c = |i: usize| self.counters.0[i].load(Ordering::SeqCst);
        CallCounts {
            list_posts: c(0),
            fetch_metrics: c(1),
            get_post: c(2),
            get_account: c(3),
            refresh: c(4),
            fetch_public_metrics: c(5),
        }
    }

    fn err(&self, endpoint: &'static str, kind: PlatformErrorKind) -> PlatformError {
        PlatformError::new(self.platform, endpoint, kind)
    }

    /// Counts the call, applies scripted faults, and checks the token.
    fn enter(&self, op: Op, account: &AccountRef<'_>) -> Result<(), PlatformError> {
        let (i, endpoint) = match op {
            Op::ListPosts => (0, "list_posts"),
            Op::FetchMetrics => (1, "fetch_metrics"),
            Op::GetPost => (2, "get_post"),
            Op::GetAccount => (3, "get_account"),
            Op::Refresh => (4, "refresh"),
            Op::FetchPublicMetrics => (5, "fetch_public_metrics"),
        };
        self.counters.0[i].fetch_add(1, Ordering::SeqCst);
        let mut s = self.lock();
        if let Some(f) = s.faults.iter_mut().find(|f| {
            f.op == op && f.times > 0 && f.account.as_ref().is_none_or(|a| a == account.account_id)
        }) {
            f.times -= 1;
            return Err(self.err(endpoint, f.kind.clone()));
        }
        let Some(a) = s.accounts.get(account.account_id) else {
            return Err(self.err(
                endpoint,
                PlatformErrorKind::TokenInvalid(DisconnectReason::AccountUnavailable),
            ));
        };
        if a.revoked {
            return Err(self.err(
                endpoint,
                PlatformErrorKind::TokenInvalid(DisconnectReason::Revoked),
            ));
        }
        if a.panics.contains(&op) {
            let who = account.account_id.to_string();
            drop(s);
            panic!("scripted panic in {endpoint} for {who}");
        }
        if op != Op::Refresh && account.credentials.access_token() != a.access_token {
            return Err(self.err(
                endpoint,
                PlatformErrorKind::TokenInvalid(DisconnectReason::TokenExpired),
            ));
        }
        Ok(())
    }

    fn to_platform_post(p: &FakePost) -> PlatformPost {
        PlatformPost {
            id: p.id.clone(),
            published_at: p.published_at,
            kind: p.kind,
            title: p.title.clone(),
            text: p.text.clone(),
            keyword_tags: p.keyword_tags.clone(),
            permalink: Some(format!("https://fake.example/p/{}", p.id)),
        }
    }
}

#[async_trait]
impl SocialPlatform for FakePlatform {
    fn platform(&self) -> Platform {
        self.platform
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            public_batch: self.lock().public_batch,
            ..self.capabilities.clone()
        }
    }

    async fn list_posts(
        &self,
        account: AccountRef<'_>,
        cursor: Option<PageCursor>,
    ) -> Result<PostPage, PlatformError> {
        self.enter(Op::ListPosts, &account)?;
        let now = self.clock.now();
        let offset: usize = match &cursor {
            None => 0,
            Some(c) => {
                c.0.parse()
                    .map_err(|_| self.err("list_posts", PlatformErrorKind::InvalidResponse))?
            }
        };
        let s = self.lock();
        if s.accounts
            .get(account.account_id)
            .is_some_and(|a| a.endless_pages)
        {
            return Ok(PostPage {
                posts: Vec::new(),
                next: Some(PageCursor((offset + 1).to_string())),
            });
        }
        let mut mine: Vec<&FakePost> = s
            .by_account
            .get(account.account_id)
            .into_iter()
            .flatten()
            .filter_map(|id| s.posts.get(id))
            .filter(|p| p.listed_by(account.account_id) && !p.deleted)
            .filter(|p| p.published_at.is_none() || p.shown_by(now))
            .collect();
        mine.sort_by(|a, b| (b.published_at, &b.id).cmp(&(a.published_at, &a.id)));
        let page: Vec<PlatformPost> = mine
            .iter()
            .skip(offset)
            .take(self.capabilities.page_size)
            .map(|p| Self::to_platform_post(p))
            .collect();
        let end = offset + page.len();
        let next = (end < mine.len()).then(|| PageCursor(end.to_string()));
        Ok(PostPage { posts: page, next })
    }

    async fn fetch_metrics(
        &self,
        account: AccountRef<'_>,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        self.enter(Op::FetchMetrics, &account)?;
        let latency = self.lock().latency;
        if let Some(latency) = latency {
            tokio::time::sleep(latency).await;
        }
        if posts.len() > self.capabilities.max_batch {
            return Err(self
                .err("fetch_metrics", PlatformErrorKind::InvalidResponse)
                .with_detail("batch too large"));
        }
        let now = self.clock.now();
        let s = self.lock();
        let broken = s
            .accounts
            .get(account.account_id)
            .is_some_and(|a| a.broken_reads);
        let mut batch = MetricsBatch {
            readings: Vec::with_capacity(posts.len()),
            ..MetricsBatch::default()
        };
        let owner = s
            .by_account
            .get_key_value(account.account_id)
            .map(|(k, _)| k);
        for r in posts {
            match s.posts.get(&r.id) {
                Some(p) if !broken && owner.is_some_and(|o| p.listed_by(o)) && p.visible(now) => {
                    let mut metrics = p.metrics_at(now);
                    let unsupported = s
                        .unsupported
                        .iter()
                        .find(|(k, _)| *k == p.kind)
                        .map_or(MetricSet::EMPTY, |(_, set)| *set);
                    for m in unsupported.iter() {
                        metrics.set(m, None);
                    }
                    let mut missing_permissions = Vec::new();
                    if let Some((set, permission)) = &s.missing_permission {
                        for m in set.iter() {
                            metrics.set(m, None);
                        }
                        missing_permissions.push(permission.clone());
                    }
                    batch.readings.push(PostReading {
                        id: r.id.clone(),
                        metrics,
                        unsupported,
                        missing_permissions,
                        problems: Vec::new(),
                    });
                }
                _ => batch.missing.push(r.id.clone()),
            }
        }
        Ok(batch)
    }

    async fn fetch_public_metrics(
        &self,
        posts: &[MetricsRequest],
    ) -> Result<MetricsBatch, PlatformError> {
        const EP: &str = "fetch_public_metrics";
        self.counters.0[5].fetch_add(1, Ordering::SeqCst);
        let now = self.clock.now();
        let mut s = self.lock();
        s.public_asked.extend(posts.iter().map(|r| r.id.clone()));
        if let Some(f) = s
            .faults
            .iter_mut()
            .find(|f| f.op == Op::FetchPublicMetrics && f.times > 0)
        {
            f.times -= 1;
            return Err(self.err(EP, f.kind.clone()));
        }
        if posts.len() > s.public_batch {
            return Err(self
                .err(EP, PlatformErrorKind::InvalidResponse)
                .with_detail("batch too large"));
        }
        let mut batch = MetricsBatch::default();
        for r in posts {
            match s.posts.get(&r.id) {
                Some(p) if p.visible(now) && !p.unlisted => {
                    batch
                        .readings
                        .push(PostReading::new(r.id.clone(), p.metrics_at(now)));
                }
                _ => batch.missing.push(r.id.clone()),
            }
        }
        Ok(batch)
    }

    async fn get_post(
        &self,
        account: AccountRef<'_>,
        id: &PlatformPostId,
    ) -> Result<Option<PlatformPost>, PlatformError> {
        self.enter(Op::GetPost, &account)?;
        let now = self.clock.now();
        let s = self.lock();
        if s.accounts
            .get(account.account_id)
            .is_some_and(|a| a.broken_reads)
        {
            return Ok(None);
        }
        Ok(s.posts
            .get(id)
            .filter(|p| p.listed_by(account.account_id) && p.visible(now))
            .map(Self::to_platform_post))
    }

    async fn get_account(&self, account: AccountRef<'_>) -> Result<AccountInfo, PlatformError> {
        self.enter(Op::GetAccount, &account)?;
        let s = self.lock();
        let a = s
            .accounts
            .get(account.account_id)
            .ok_or_else(|| self.err("get_account", PlatformErrorKind::NotFound))?;
        let now = self.clock.now();
        let posts = s
            .by_account
            .get(account.account_id)
            .into_iter()
            .flatten()
            .filter_map(|id| s.posts.get(id))
            .filter(|p| &p.account == account.account_id && p.visible(now))
            .count();
        Ok(AccountInfo {
            id: account.account_id.clone(),
            handle: a.handle.clone(),
            post_count: (!s.hide_post_counts).then_some(posts as u64),
        })
    }

    async fn refresh_credentials(
        &self,
        account: AccountRef<'_>,
    ) -> Result<Credentials, PlatformError> {
        self.enter(Op::Refresh, &account)?;
        let refused = || {
            self.err(
                "refresh",
                PlatformErrorKind::TokenInvalid(DisconnectReason::RefreshRejected),
            )
        };
        let mut s = self.lock();
        let a = s.accounts.get_mut(account.account_id).ok_or_else(refused)?;
        let ok = match self.capabilities.refresh {
            RefreshModel::SelfRefreshing { .. } => {
                account.credentials.access_token() == a.access_token
            }
            _ => {
                account.credentials.refresh_token().is_some()
                    && account.credentials.refresh_token() == a.refresh_token.as_deref()
            }
        };
        if !ok {
            return Err(refused());
        }
        a.generation += 1;
        let (access, refresh) = self.tokens(account.account_id.as_str(), a.generation);
        a.access_token = access.clone();
        let returned_refresh = match self.capabilities.refresh {
            RefreshModel::RotatingRefreshToken => {
                a.refresh_token = refresh.clone();
                refresh
            }
            // Google keeps the refresh token and does not send it again;
            // a self-refreshing token has none.
            _ => None,
        };
        drop(s);
        Ok(self.credentials(&access, returned_refresh.as_deref()))
    }
}
