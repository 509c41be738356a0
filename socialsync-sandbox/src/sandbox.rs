//! The sandbox handle, its builder and the Rust API that drives it.

use crate::state::State;
use crate::{
    AccountRef, AccountSpec, AppCredentials, Curve, Endpoint, Fault, Hostile, HostileKind, Metric,
    PostRef, PostSpec, PrivatePost, ProductType, RateLimits, RevokeReason, SandboxError, Shared,
    SignedWebhook, SpoiledCounter, TokenGrant, TokenLifetimes, Visibility, generate, webhook,
};
use crate::{DEFAULT_TIKTOK_CLIENT_KEY, DEFAULT_TIKTOK_CLIENT_SECRET, RunningSandbox, server};
use socialsync_core::clock::{Clock, SystemClock, Timestamp};
use socialsync_core::platform::Platform;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// Builds a [`Sandbox`].
#[derive(Debug)]
pub struct SandboxBuilder {
    seed: u64,
    clock: Option<Arc<dyn Clock>>,
    limits: RateLimits,
    lifetimes: TokenLifetimes,
    apps: Vec<(Platform, AppCredentials)>,
    youtube_api_key: Option<String>,
}

impl SandboxBuilder {
    /// The platform's app credentials: its token endpoints then refuse
    /// other client ids and secrets (Instagram code exchange and long-lived
    /// exchange, TikTok and Google token endpoints; for YouTube give
    /// Google's client), TikTok `share_url`s carry the client key, and
    /// TikTok webhooks are signed with the secret. Without them any client
    /// is accepted.
    pub fn app_credentials(mut self, platform: Platform, credentials: AppCredentials) -> Self {
        self.apps.retain(|(p, _)| *p != platform);
        self.apps.push((platform, credentials));
        self
    }

    /// The YouTube project's API key: `videos:batchGetStats` then reads
    /// public videos for that key alone (sent as `X-Goog-Api-Key` or
    /// `key=`), and answers another with Google's 400 `API_KEY_INVALID`.
    /// Without it any non-empty key is accepted.
    pub fn youtube_api_key(mut self, key: impl Into<String>) -> Self {
        self.youtube_api_key = Some(key.into());
        self
    }

    /// The seed of every generated id, token and trace id (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The clock metrics, token expiry and rate limits follow (default: the
    /// system clock). Share the engine's `ManualClock` in tests.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The rate limits (default: the platforms' documented ones).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The token lifetimes (default: the platforms' documented ones).
    pub fn token_lifetimes(mut self, lifetimes: TokenLifetimes) -> Self {
        self.lifetimes = lifetimes;
        self
    }

    /// The sandbox (not serving yet: see [`Sandbox::start`]).
    pub fn build(self) -> Sandbox {
        let mut state = State::new(self.seed, self.lifetimes, self.limits);
        state.apps.extend(self.apps);
        state.youtube_api_key = self.youtube_api_key;
        Sandbox {
            shared: Arc::new(Shared {
                state: Mutex::new(state),
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            }),
        }
    }
}

/// The sandbox: its state and the Rust API that drives it. Cheap to clone
/// (clones share the state); every method takes the one mutex briefly.
#[derive(Debug, Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
}

impl Sandbox {
    /// A builder with seed 1, the system clock and documented limits.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            seed: 1,
            clock: None,
            limits: RateLimits::default(),
            lifetimes: TokenLifetimes::default(),
            apps: Vec::new(),
            youtube_api_key: None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// The sandbox's current time.
    pub fn now(&self) -> Timestamp {
        self.shared.clock.now()
    }

    /// Serves the sandbox on `127.0.0.1` at a free port until the returned
    /// handle is dropped or [`RunningSandbox::shutdown`] is called.
    pub async fn start(&self) -> Result<RunningSandbox, SandboxError> {
        self.start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves the sandbox on `addr` (port 0 for any free port).
    pub async fn start_on(&self, addr: SocketAddr) -> Result<RunningSandbox, SandboxError> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let base_url = format!("http://{local}");
        let app = server::router(server::AppState {
            shared: self.shared.clone(),
            base_url: base_url.clone().into(),
        });
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "sandbox server stopped");
            }
        });
        Ok(RunningSandbox::new(self.clone(), local, base_url, tx, task))
    }

    /// Creates an account.
    pub fn add_account(&self, spec: AccountSpec) -> Result<AccountRef, SandboxError> {
        let now = self.now();
        self.lock().add_account(spec, now)
    }

    /// Creates a post of `account`.
    pub fn add_post(&self, account: &AccountRef, spec: PostSpec) -> Result<PostRef, SandboxError> {
        self.lock().add_post(account, spec)
    }

    /// Creates `count` posts for `account`, one every `spacing` starting at
    /// `first`, with captions drawn (from the seed) from hashtags in many
    /// scripts, the given `hashtags` mixed in, and metrics that grow, stay
    /// flat, go down or are hidden.
    pub fn add_generated_posts(
        &self,
        account: &AccountRef,
        count: usize,
        first: Timestamp,
        spacing: chrono::TimeDelta,
        hashtags: &[&str],
    ) -> Result<Vec<PostRef>, SandboxError> {
        let mut st = self.lock();
        (0..count)
            .map(|i| {
                let at = i32::try_from(i)
                    .ok()
                    .and_then(|i| spacing.checked_mul(i))
                    .and_then(|offset| first.checked_add(offset))
                    .ok_or_else(|| {
                        SandboxError::InvalidInput(format!(
                            "post {i} of {count} falls outside the representable time range"
                        ))
                    })?;
                let spec = generate::post_spec(&mut st.rng, account.platform, at, hashtags);
                st.add_post(account, spec)
            })
            .collect()
    }

    /// The account's posts (deleted ones included), newest first.
    pub fn posts(&self, account: &AccountRef) -> Vec<PostRef> {
        let st = self.lock();
        let mut posts: Vec<(&Timestamp, PostRef)> = st
            .posts
            .iter()
            .filter(|(k, p)| k.platform == account.platform && p.account_id == account.id)
            .map(|(k, p)| (&p.spec.published_at, k.clone()))
            .collect();
        posts.sort_by(|a, b| b.0.cmp(a.0).then_with(|| b.1.cmp(&a.1)));
        posts.into_iter().map(|(_, k)| k).collect()
    }

    /// Issues a fresh authorization for `account` (as after consent and
    /// code exchange): Instagram a 60-day token; TikTok a 2-hour access and
    /// 180-day refresh token; Google a 1-hour access and a refresh token.
    pub fn issue_tokens(&self, account: &AccountRef) -> Result<TokenGrant, SandboxError> {
        let now = self.now();
        self.lock().issue_grant(account, now)
    }

    /// A one-use authorization code for `account` (valid 10 minutes), for a
    /// client that runs the code exchange: Instagram `POST
    /// /oauth/access_token`, TikTok `POST /v2/oauth/token/`, Google `POST /token`.
    pub fn authorization_code(&self, account: &AccountRef) -> Result<String, SandboxError> {
        let now = self.now();
        self.lock().issue_code(account, now)
    }

    /// Revokes every token of the account (the creator removed the app,
    /// changed the password, …). Reconnecting needs [`Sandbox::issue_tokens`]
    /// or a new code.
    pub fn revoke(&self, account: &AccountRef, reason: RevokeReason) -> Result<(), SandboxError> {
        self.lock().revoke(account, reason)
    }

    /// The creator removed the app on TikTok: revokes the account's tokens
    /// and returns the signed `authorization.removed` webhook TikTok would
    /// deliver (`reason`: 0 unknown, 1 user disconnected, 2 account deleted,
    /// 3 age changed, 4 banned, 5 developer revoked).
    pub fn tiktok_authorization_removed(
        &self,
        account: &AccountRef,
        reason: u8,
    ) -> Result<SignedWebhook, SandboxError> {
        let now = self.now();
        let mut st = self.lock();
        if account.platform != Platform::TikTok {
            return Err(SandboxError::UnknownAccount(account.clone()));
        }
        st.revoke(account, RevokeReason::AppRemoved)?;
        let (key, secret) = match st.apps.get(&Platform::TikTok) {
            Some(app) => (app.client_id.clone(), app.client_secret.clone()),
            None => (
                DEFAULT_TIKTOK_CLIENT_KEY.to_owned(),
                DEFAULT_TIKTOK_CLIENT_SECRET.to_owned(),
            ),
        };
        Ok(webhook::authorization_removed(
            &key,
            &secret,
            &account.id,
            reason,
            now,
        ))
    }

    /// Withdraws a scope from the account and from its live tokens.
    pub fn remove_scope(&self, account: &AccountRef, scope: &str) -> Result<(), SandboxError> {
        self.lock().remove_scope(account, scope)
    }

    /// Grants a scope to the account: tokens issued from now on carry it.
    pub fn grant_scope(&self, account: &AccountRef, scope: &str) -> Result<(), SandboxError> {
        self.lock().grant_scope(account, scope)
    }

    /// Deletes a post.
    pub fn delete_post(&self, post: &PostRef) -> Result<(), SandboxError> {
        self.lock().delete_post(post)
    }

    /// Changes who may see a post.
    pub fn set_visibility(
        &self,
        post: &PostRef,
        visibility: Visibility,
    ) -> Result<(), SandboxError> {
        self.lock().post_mut(post)?.spec.visibility = visibility;
        Ok(())
    }

    /// Edits the post's texts (`None` leaves one unchanged; an Instagram
    /// caption of `Some("")` stays an empty caption).
    pub fn edit_text(
        &self,
        post: &PostRef,
        caption: Option<&str>,
        title: Option<&str>,
        description: Option<&str>,
    ) -> Result<(), SandboxError> {
        let mut st = self.lock();
        let p = st.post_mut(post)?;
        if let Some(c) = caption {
            p.spec.caption = Some(c.to_owned());
        }
        if let Some(t) = title {
            p.spec.title = t.to_owned();
        }
        if let Some(d) = description {
            p.spec.description = d.to_owned();
        }
        Ok(())
    }

    /// Hides or shows the post's like count.
    pub fn set_likes_hidden(&self, post: &PostRef, hidden: bool) -> Result<(), SandboxError> {
        self.lock().post_mut(post)?.spec.likes_hidden = hidden;
        Ok(())
    }

    /// Turns the post's comments off or on.
    pub fn set_comments_disabled(&self, post: &PostRef, off: bool) -> Result<(), SandboxError> {
        self.lock().post_mut(post)?.spec.comments_disabled = off;
        Ok(())
    }

    /// Gives a post's metric a new curve (still a function of the post's age).
    pub fn set_metric(
        &self,
        post: &PostRef,
        metric: Metric,
        curve: Curve,
    ) -> Result<(), SandboxError> {
        self.lock().set_curve(post, metric, curve)
    }

    /// The value the sandbox serves now for the post's metric (hidden or not).
    pub fn metric_value(&self, post: &PostRef, metric: Metric) -> Result<u64, SandboxError> {
        let now = self.now();
        let st = self.lock();
        let p = st
            .posts
            .get(post)
            .ok_or_else(|| SandboxError::UnknownPost(post.clone()))?;
        Ok(p.metric(metric, now))
    }

    /// Instagram insights refuse `metric` from now on, for one product type
    /// or (`None`) for all, with Meta's code-100 error.
    pub fn deprecate_metric(&self, metric: &str, product: Option<ProductType>) {
        self.lock().deprecated.insert((metric.to_owned(), product));
    }

    /// Accepts a metric [`Sandbox::deprecate_metric`] refused.
    pub fn restore_metric(&self, metric: &str, product: Option<ProductType>) {
        self.lock().deprecated.remove(&(metric.to_owned(), product));
    }

    /// Adds a fault; faults match in the order added.
    pub fn add_fault(&self, fault: Fault) {
        self.lock().faults.add(fault);
    }

    /// Clears every pending fault.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// The pending faults.
    pub fn faults(&self) -> Vec<Fault> {
        self.lock().faults.list()
    }

    /// Turns a hostile value on for `account` (see [`crate::hostile`]):
    /// from now on its answers carry the value, and every other account's
    /// answers stay exactly as they were. A value already on stays as it
    /// is; a [`Hostile::PrivateSpell`] makes its posts private at once.
    pub fn add_hostile(&self, account: &AccountRef, value: Hostile) -> Result<(), SandboxError> {
        let now = self.now();
        self.lock().add_hostile(account, value, now)
    }

    /// Turns every hostile value on for `account`: [`Hostile::everything`].
    pub fn add_all_hostile(&self, account: &AccountRef) -> Result<(), SandboxError> {
        let now = self.now();
        let mut st = self.lock();
        for value in Hostile::everything() {
            st.add_hostile(account, value, now)?;
        }
        Ok(())
    }

    /// Turns the hostile values of one kind off for `account` (for
    /// [`HostileKind::PrivateSpell`], its posts are public again at once).
    pub fn remove_hostile(
        &self,
        account: &AccountRef,
        kind: HostileKind,
    ) -> Result<(), SandboxError> {
        self.lock().remove_hostile(account, kind)
    }

    /// Turns hostile mode off for `account`: every value, and the private
    /// spells of its posts. It is served clean again.
    pub fn clear_hostile(&self, account: &AccountRef) -> Result<(), SandboxError> {
        self.lock().clear_hostile(account)
    }

    /// The hostile values on for `account`, in the order turned on.
    pub fn hostile(&self, account: &AccountRef) -> Vec<Hostile> {
        self.lock().hostile_values(account)
    }

    /// Every account with hostile values on, and its values.
    pub fn hostile_accounts(&self) -> BTreeMap<AccountRef, Vec<Hostile>> {
        self.lock()
            .hostile
            .iter()
            .map(|(a, entries)| (a.clone(), entries.iter().map(|e| e.value.clone()).collect()))
            .collect()
    }

    /// The per-post counters `account`'s hostile values spoil now, post by
    /// post (oldest first) and metric by metric; every counter not listed
    /// is served clean.
    pub fn spoiled_counters(&self, account: &AccountRef) -> Vec<SpoiledCounter> {
        self.lock().spoiled_counters(account)
    }

    /// Makes a post private (as the creator can on each platform) until
    /// `until` (`None`: until [`Sandbox::make_public`]). Meanwhile Instagram
    /// and TikTok leave it out of listings, batch reads and the account's
    /// post count, and Instagram's node and insights reads say not found;
    /// YouTube leaves it out for every token but its owner's, which still
    /// sees it as `privacyStatus: "private"` without `videoPublishedAt`.
    /// It comes back with its id, publish time and metric curves, and with
    /// its own visibility.
    pub fn make_private(
        &self,
        post: &PostRef,
        until: Option<Timestamp>,
    ) -> Result<(), SandboxError> {
        self.lock().make_private(post, until)
    }

    /// Ends a post's private spell: it is served with its own visibility again.
    pub fn make_public(&self, post: &PostRef) -> Result<(), SandboxError> {
        self.lock().make_public(post)
    }

    /// `account`'s posts under a private spell that has not ended.
    pub fn private_posts(&self, account: &AccountRef) -> Vec<PrivatePost> {
        let now = self.now();
        self.lock().private_posts(account, now)
    }

    /// Requests received by `endpoint` (whatever the answer).
    pub fn request_count(&self, endpoint: Endpoint) -> u64 {
        self.lock().counters.get(&endpoint).copied().unwrap_or(0)
    }

    /// Requests received per endpoint (endpoints never called are absent).
    pub fn request_counts(&self) -> BTreeMap<Endpoint, u64> {
        self.lock().counters.clone()
    }

    /// Requests received by all endpoints of `platform`.
    pub fn platform_request_count(&self, platform: Platform) -> u64 {
        self.lock()
            .counters
            .iter()
            .filter(|(e, _)| e.platform() == Some(platform))
            .map(|(_, n)| n)
            .sum()
    }

    /// Answers `endpoint` gave with HTTP `status`.
    pub fn status_count(&self, endpoint: Endpoint, status: u16) -> u64 {
        self.lock()
            .statuses
            .get(&(endpoint, status))
            .copied()
            .unwrap_or(0)
    }

    /// Rate-limit and quota refusals `endpoint` answered (TikTok 429
    /// `rate_limit_exceeded`, YouTube `quotaExceeded`, Instagram throttling
    /// codes), forced ones included.
    pub fn rate_limited_count(&self, endpoint: Endpoint) -> u64 {
        self.lock()
            .rate_limited
            .get(&endpoint)
            .copied()
            .unwrap_or(0)
    }

    /// Rate-limit and quota refusals over all endpoints of `platform`.
    pub fn platform_rate_limited_count(&self, platform: Platform) -> u64 {
        self.lock()
            .rate_limited
            .iter()
            .filter(|(e, _)| e.platform() == Some(platform))
            .map(|(_, n)| n)
            .sum()
    }

    /// Zeroes the request, status and rate-limit counters.
    pub fn reset_counters(&self) {
        self.lock().reset_counters();
    }

    /// YouTube Data API units used in the current Pacific day.
    pub fn youtube_units_used(&self) -> u64 {
        let now = self.now();
        self.lock().youtube_quota.used(now)
    }
}
