//! The sandbox's whole state, behind the one mutex of [`crate::Sandbox`].

use crate::endpoint::Endpoint;
use crate::error::SandboxError;
use crate::faults::Faults;
use crate::hostile::HostileEntry;
use crate::limits::{DailyQuota, RateLimits, Window};
use crate::model::{
    AccountRef, AccountSpec, Curve, Metric, PostRef, PostSpec, ProductType, Visibility,
};
use crate::rng::{ALNUM, HEX_UPPER, SplitMix64, YOUTUBE_ID};
use crate::tokens::{AppCredentials, TokenGrant, TokenKind, TokenLifetimes, TokenRecord};
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An account as stored.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) spec: AccountSpec,
    /// TikTok `union_id`.
    pub(crate) union_id: String,
    pub(crate) created_at: Timestamp,
}

/// A post as stored.
#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub(crate) id: String,
    pub(crate) account_id: String,
    pub(crate) spec: PostSpec,
    pub(crate) deleted: bool,
    /// Instagram shortcode.
    pub(crate) shortcode: String,
    pub(crate) etag: String,
    /// Made private for a while ([`crate::Sandbox::make_private`]): the
    /// post is private until then, whatever its own visibility.
    pub(crate) private_spell: Option<PrivateSpell>,
}

/// A post made private, and when it comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrivateSpell {
    /// When it is public again (`None`: until made public).
    pub(crate) until: Option<Timestamp>,
}

impl Post {
    /// The value of `metric` at `now`.
    pub(crate) fn metric(&self, metric: Metric, now: Timestamp) -> u64 {
        let age = now - self.spec.published_at;
        match self.spec.metrics.get(&metric) {
            Some(curve) => curve.value_at(age),
            None if metric == Metric::TotalInteractions => [
                Metric::Likes,
                Metric::Comments,
                Metric::Shares,
                Metric::Saves,
            ]
            .into_iter()
            .map(|m| self.metric(m, now))
            .fold(0u64, u64::saturating_add),
            None => 0,
        }
    }

    /// Whether the post is out (published by `now`).
    pub(crate) fn is_out(&self, now: Timestamp) -> bool {
        self.spec.published_at <= now
    }

    /// Who may see the post at `now`: private while a private spell lasts,
    /// else its own visibility.
    pub(crate) fn visibility(&self, now: Timestamp) -> Visibility {
        match self.private_spell {
            Some(spell) if spell.until.is_none_or(|until| now < until) => Visibility::Private,
            _ => self.spec.visibility,
        }
    }
}

/// Everything.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) rng: SplitMix64,
    pub(crate) lifetimes: TokenLifetimes,
    pub(crate) limits: RateLimits,
    pub(crate) accounts: BTreeMap<AccountRef, Account>,
    pub(crate) posts: BTreeMap<PostRef, Post>,
    pub(crate) tokens: HashMap<String, TokenRecord>,
    pub(crate) next_grant: u64,
    pub(crate) counters: BTreeMap<Endpoint, u64>,
    /// Answers per endpoint and HTTP status.
    pub(crate) statuses: BTreeMap<(Endpoint, u16), u64>,
    /// Rate-limit and quota refusals per endpoint.
    pub(crate) rate_limited: BTreeMap<Endpoint, u64>,
    pub(crate) faults: Faults,
    /// Metrics refused as deprecated: `(name, None)` for every product type.
    pub(crate) deprecated: BTreeSet<(String, Option<ProductType>)>,
    pub(crate) tiktok_windows: HashMap<Endpoint, Window>,
    pub(crate) youtube_quota: DailyQuota,
    pub(crate) youtube_stats_quota: DailyQuota,
    pub(crate) youtube_minute: Window,
    pub(crate) instagram_user_windows: HashMap<String, Window>,
    pub(crate) instagram_app_window: Window,
    /// Credentials the token endpoints check, per platform (none: any).
    pub(crate) apps: HashMap<Platform, AppCredentials>,
    /// The YouTube project's API key; `None`: any non-empty key.
    pub(crate) youtube_api_key: Option<String>,
    /// The hostile values served for each account, in the order turned on.
    pub(crate) hostile: BTreeMap<AccountRef, Vec<HostileEntry>>,
}

/// Instagram metrics no version accepts any more.
pub(crate) const INSTAGRAM_DEPRECATED: [&str; 6] = [
    "impressions",
    "plays",
    "clips_replays_count",
    "ig_reels_aggregated_all_plays_count",
    "video_views",
    "engagement",
];

impl State {
    pub(crate) fn new(seed: u64, lifetimes: TokenLifetimes, limits: RateLimits) -> State {
        State {
            rng: SplitMix64::new(seed),
            lifetimes,
            limits,
            accounts: BTreeMap::new(),
            posts: BTreeMap::new(),
            tokens: HashMap::new(),
            next_grant: 1,
            counters: BTreeMap::new(),
            statuses: BTreeMap::new(),
            rate_limited: BTreeMap::new(),
            faults: Faults::default(),
            deprecated: INSTAGRAM_DEPRECATED
                .iter()
                .map(|m| ((*m).to_owned(), None))
                .collect(),
            tiktok_windows: HashMap::new(),
            youtube_quota: DailyQuota::default(),
            youtube_stats_quota: DailyQuota::default(),
            youtube_minute: Window::default(),
            instagram_user_windows: HashMap::new(),
            instagram_app_window: Window::default(),
            apps: HashMap::new(),
            youtube_api_key: None,
            hostile: BTreeMap::new(),
        }
    }

    fn digits(&mut self, prefix: &str, total: usize) -> String {
        let mut s = prefix.to_owned();
        while s.len() < total {
            s.push(char::from(b'0' + self.rng.below(10) as u8));
        }
        s
    }

    fn fresh_account_id(&mut self, platform: Platform) -> String {
        loop {
            let id = match platform {
                Platform::Instagram => self.digits("178414", 17),
                Platform::TikTok => format!("-000{}", self.rng.string(ALNUM, 30)),
                Platform::YouTube => format!("UC{}", self.rng.string(YOUTUBE_ID, 22)),
                _ => self.rng.string(ALNUM, 24),
            };
            let key = AccountRef {
                platform,
                id: id.clone(),
            };
            if !self.accounts.contains_key(&key) {
                return id;
            }
        }
    }

    fn fresh_post_id(&mut self, platform: Platform) -> String {
        loop {
            let id = match platform {
                Platform::Instagram => self.digits("1804", 17),
                Platform::TikTok => self.digits("7441", 19),
                Platform::YouTube => self.rng.string(YOUTUBE_ID, 11),
                _ => self.rng.string(ALNUM, 16),
            };
            let key = PostRef {
                platform,
                id: id.clone(),
            };
            if !self.posts.contains_key(&key) {
                return id;
            }
        }
    }

    /// A TikTok `log_id` for `now`.
    pub(crate) fn log_id(&mut self, now: Timestamp) -> String {
        format!(
            "{}{}",
            now.format("%Y%m%d%H%M%S"),
            self.rng.string(HEX_UPPER, 20)
        )
    }

    /// A Meta `fbtrace_id`.
    pub(crate) fn fbtrace_id(&mut self) -> String {
        self.rng.string(ALNUM, 23)
    }

    /// A Google `etag`.
    pub(crate) fn etag(&mut self) -> String {
        self.rng.string(YOUTUBE_ID, 27)
    }

    pub(crate) fn add_account(
        &mut self,
        spec: AccountSpec,
        now: Timestamp,
    ) -> Result<AccountRef, SandboxError> {
        let id = match &spec.id {
            Some(id) => id.clone(),
            None => self.fresh_account_id(spec.platform),
        };
        let key = AccountRef {
            platform: spec.platform,
            id: id.clone(),
        };
        if self.accounts.contains_key(&key) {
            return Err(SandboxError::DuplicateId(id));
        }
        let union_id = format!(
            "{}-{}-{}",
            self.rng.string(b"0123456789abcdef", 8),
            self.rng.string(b"0123456789abcdef", 4),
            self.rng.string(b"0123456789abcdef", 12)
        );
        self.accounts.insert(
            key.clone(),
            Account {
                id,
                spec,
                union_id,
                created_at: now,
            },
        );
        Ok(key)
    }

    pub(crate) fn add_post(
        &mut self,
        account: &AccountRef,
        spec: PostSpec,
    ) -> Result<PostRef, SandboxError> {
        if !self.accounts.contains_key(account) {
            return Err(SandboxError::UnknownAccount(account.clone()));
        }
        let id = match &spec.id {
            Some(id) => id.clone(),
            None => self.fresh_post_id(account.platform),
        };
        let key = PostRef {
            platform: account.platform,
            id: id.clone(),
        };
        if self.posts.contains_key(&key) {
            return Err(SandboxError::DuplicateId(id));
        }
        let shortcode = format!("D{}", self.rng.string(ALNUM, 10));
        let etag = self.etag();
        self.posts.insert(
            key.clone(),
            Post {
                id,
                account_id: account.id.clone(),
                spec,
                deleted: false,
                shortcode,
                etag,
                private_spell: None,
            },
        );
        Ok(key)
    }

    pub(crate) fn account(&self, platform: Platform, id: &str) -> Option<&Account> {
        self.accounts.get(&AccountRef {
            platform,
            id: id.to_owned(),
        })
    }

    pub(crate) fn post(&self, platform: Platform, id: &str) -> Option<&Post> {
        self.posts.get(&PostRef {
            platform,
            id: id.to_owned(),
        })
    }

    /// The account's posts that are not deleted, newest first (ties by id,
    /// descending), whatever their visibility and publish time.
    pub(crate) fn posts_of(&self, platform: Platform, account_id: &str) -> Vec<&Post> {
        let mut posts: Vec<&Post> = self
            .posts
            .iter()
            .filter(|(k, p)| k.platform == platform && p.account_id == account_id && !p.deleted)
            .map(|(_, p)| p)
            .collect();
        posts.sort_by(|a, b| {
            b.spec
                .published_at
                .cmp(&a.spec.published_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        posts
    }

    fn token_string(&mut self, platform: Platform, kind: TokenKind) -> String {
        loop {
            let s = match (platform, kind) {
                (_, TokenKind::AuthCode) => self.rng.string(ALNUM, 32),
                (Platform::Instagram, TokenKind::ShortLived) => {
                    format!("IGQWR{}", self.rng.string(ALNUM, 40))
                }
                (Platform::Instagram, _) => format!("IGAA{}", self.rng.string(ALNUM, 44)),
                (Platform::TikTok, TokenKind::Refresh) => {
                    format!("rft.{}!6412.va", self.rng.string(ALNUM, 44))
                }
                (Platform::TikTok, _) => format!("act.{}!6410.va", self.rng.string(ALNUM, 44)),
                (Platform::YouTube, TokenKind::Refresh) => {
                    format!("1//0{}", self.rng.string(YOUTUBE_ID, 60))
                }
                (Platform::YouTube, _) => format!("ya29.a0{}", self.rng.string(YOUTUBE_ID, 100)),
                _ => self.rng.string(ALNUM, 48),
            };
            if !self.tokens.contains_key(&s) {
                return s;
            }
        }
    }

    /// Stores a new token string.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new_token(
        &mut self,
        platform: Platform,
        account_id: &str,
        kind: TokenKind,
        grant: u64,
        now: Timestamp,
        expires_at: Option<Timestamp>,
        scopes: Vec<String>,
    ) -> String {
        let s = self.token_string(platform, kind);
        self.tokens.insert(
            s.clone(),
            TokenRecord {
                platform,
                account_id: account_id.to_owned(),
                kind,
                grant,
                issued_at: now,
                expires_at,
                revoked: None,
                spent: false,
                scopes,
            },
        );
        if platform == Platform::YouTube && kind == TokenKind::Refresh {
            self.retire_oldest_google_refresh_tokens(account_id, now);
        }
        s
    }

    /// Google keeps a limited number of live refresh tokens per account and
    /// client: past it, the oldest stops working.
    fn retire_oldest_google_refresh_tokens(&mut self, account_id: &str, now: Timestamp) {
        let Some(max) = self.lifetimes.google_max_refresh_tokens else {
            return;
        };
        let mut live: Vec<(Timestamp, u64, String)> = self
            .tokens
            .iter()
            .filter(|(_, r)| {
                r.platform == Platform::YouTube
                    && r.kind == TokenKind::Refresh
                    && r.account_id == account_id
                    && r.check(now).is_ok()
            })
            .map(|(t, r)| (r.issued_at, r.grant, t.clone()))
            .collect();
        if live.len() <= max {
            return;
        }
        live.sort();
        let excess = live.len() - max;
        for (_, _, token) in live.into_iter().take(excess) {
            if let Some(r) = self.tokens.get_mut(&token) {
                r.revoked = Some(crate::tokens::RevokeReason::AppRemoved);
            }
        }
    }

    pub(crate) fn next_grant(&mut self) -> u64 {
        let g = self.next_grant;
        self.next_grant += 1;
        g
    }

    /// A fresh authorization for `account`, as after the creator's consent
    /// and the code exchange.
    pub(crate) fn issue_grant(
        &mut self,
        account: &AccountRef,
        now: Timestamp,
    ) -> Result<TokenGrant, SandboxError> {
        let scopes = self
            .accounts
            .get(account)
            .ok_or_else(|| SandboxError::UnknownAccount(account.clone()))?
            .spec
            .scopes
            .clone();
        let grant = self.next_grant();
        let l = self.lifetimes.clone();
        let (access_life, refresh_life) = match account.platform {
            Platform::Instagram => (l.instagram_long, None),
            Platform::TikTok => (l.tiktok_access, Some(Some(l.tiktok_refresh))),
            Platform::YouTube => (l.google_access, Some(l.google_refresh)),
            // A platform the sandbox does not simulate yet: Google's lifetimes.
            _ => (l.google_access, Some(l.google_refresh)),
        };
        let access_expires_at = now + access_life;
        let access_token = self.new_token(
            account.platform,
            &account.id,
            TokenKind::Access,
            grant,
            now,
            Some(access_expires_at),
            scopes.clone(),
        );
        let (refresh_token, refresh_expires_at) = match refresh_life {
            Some(life) => {
                let at = life.map(|d| now + d);
                let t = self.new_token(
                    account.platform,
                    &account.id,
                    TokenKind::Refresh,
                    grant,
                    now,
                    at,
                    scopes.clone(),
                );
                (Some(t), at)
            }
            None => (None, None),
        };
        Ok(TokenGrant {
            account: account.clone(),
            access_token,
            issued_at: now,
            access_expires_at,
            refresh_token,
            refresh_expires_at,
            scopes,
        })
    }

    /// A single-use authorization code for `account`.
    pub(crate) fn issue_code(
        &mut self,
        account: &AccountRef,
        now: Timestamp,
    ) -> Result<String, SandboxError> {
        let scopes = self
            .accounts
            .get(account)
            .ok_or_else(|| SandboxError::UnknownAccount(account.clone()))?
            .spec
            .scopes
            .clone();
        let grant = self.next_grant();
        let at = now + self.lifetimes.authorization_code;
        Ok(self.new_token(
            account.platform,
            &account.id,
            TokenKind::AuthCode,
            grant,
            now,
            Some(at),
            scopes,
        ))
    }

    /// Records what an endpoint answered.
    pub(crate) fn record_answer(&mut self, endpoint: Endpoint, status: u16, rate_limited: bool) {
        *self.statuses.entry((endpoint, status)).or_default() += 1;
        if rate_limited {
            *self.rate_limited.entry(endpoint).or_default() += 1;
        }
    }

    /// Zeroes every counter.
    pub(crate) fn reset_counters(&mut self) {
        self.counters.clear();
        self.statuses.clear();
        self.rate_limited.clear();
    }

    /// Whether a token request's client credentials are acceptable: they must
    /// match when the platform's app credentials were configured.
    pub(crate) fn client_ok(
        &self,
        platform: Platform,
        id: Option<&str>,
        secret: Option<&str>,
    ) -> bool {
        match self.apps.get(&platform) {
            None => true,
            Some(app) => {
                id.is_none_or(|i| i == app.client_id) && secret == Some(app.client_secret.as_str())
            }
        }
    }

    /// The TikTok client key shown in `share_url`s.
    pub(crate) fn tiktok_client_key(&self) -> String {
        self.apps
            .get(&Platform::TikTok)
            .map(|a| a.client_id.clone())
            .unwrap_or_else(|| crate::DEFAULT_TIKTOK_CLIENT_KEY.to_owned())
    }

    /// Metric names refused for `product`.
    pub(crate) fn is_deprecated(&self, metric: &str, product: ProductType) -> bool {
        self.deprecated.contains(&(metric.to_owned(), None))
            || self
                .deprecated
                .contains(&(metric.to_owned(), Some(product)))
    }

    /// Gives a post's metric a new curve.
    pub(crate) fn set_curve(
        &mut self,
        post: &PostRef,
        metric: Metric,
        curve: Curve,
    ) -> Result<(), SandboxError> {
        let p = self
            .posts
            .get_mut(post)
            .ok_or_else(|| SandboxError::UnknownPost(post.clone()))?;
        p.spec.metrics.insert(metric, curve);
        Ok(())
    }

    /// Revokes every token of the account.
    pub(crate) fn revoke(
        &mut self,
        account: &AccountRef,
        reason: crate::tokens::RevokeReason,
    ) -> Result<(), SandboxError> {
        if !self.accounts.contains_key(account) {
            return Err(SandboxError::UnknownAccount(account.clone()));
        }
        for r in self
            .tokens
            .values_mut()
            .filter(|r| r.platform == account.platform && r.account_id == account.id)
        {
            r.revoked.get_or_insert(reason);
        }
        Ok(())
    }

    /// Withdraws a scope from the account and from its live tokens.
    pub(crate) fn remove_scope(
        &mut self,
        account: &AccountRef,
        scope: &str,
    ) -> Result<(), SandboxError> {
        let a = self
            .accounts
            .get_mut(account)
            .ok_or_else(|| SandboxError::UnknownAccount(account.clone()))?;
        a.spec.scopes.retain(|s| s != scope);
        for r in self
            .tokens
            .values_mut()
            .filter(|r| r.platform == account.platform && r.account_id == account.id)
        {
            r.scopes.retain(|s| s != scope);
        }
        Ok(())
    }

    /// Grants a scope to the account (tokens issued from now on carry it).
    pub(crate) fn grant_scope(
        &mut self,
        account: &AccountRef,
        scope: &str,
    ) -> Result<(), SandboxError> {
        let a = self
            .accounts
            .get_mut(account)
            .ok_or_else(|| SandboxError::UnknownAccount(account.clone()))?;
        if !a.spec.scopes.iter().any(|s| s == scope) {
            a.spec.scopes.push(scope.to_owned());
        }
        Ok(())
    }

    /// The post, mutable.
    pub(crate) fn post_mut(&mut self, post: &PostRef) -> Result<&mut Post, SandboxError> {
        self.posts
            .get_mut(post)
            .ok_or_else(|| SandboxError::UnknownPost(post.clone()))
    }

    /// Deletes the post: every read treats it as gone.
    pub(crate) fn delete_post(&mut self, post: &PostRef) -> Result<(), SandboxError> {
        self.post_mut(post)?.deleted = true;
        Ok(())
    }
}
