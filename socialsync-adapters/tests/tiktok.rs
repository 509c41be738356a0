//! TikTok against wiremock servers speaking TikTok's formats.

mod common;

use chrono::TimeDelta;
use common::{Account, CatchAll, FormHas, app, clock, fast_retry, fixture, json, t0};
use socialsync_adapters::tiktok::TikTok;
use socialsync_adapters::tiktok::webhook::{WebhookError, WebhookVerifier};
use socialsync_adapters::{CodeExchange, Connector};
use socialsync_core::clock::ManualClock;
use socialsync_core::domain::{DisconnectReason, MediaKind};
use socialsync_core::engine::{Delivered, Engine};
use socialsync_core::events::{ConnectionChange, Event};
use socialsync_core::ids::PlatformPostId;
use socialsync_core::metrics::Metric;
use socialsync_core::platform::{
    MetricsRequest, PageCursor, PlatformErrorKind as K, SocialPlatform,
};
use socialsync_core::store::{NewConnection, NewCreator, PostStore, SharedBudget};
use socialsync_store_memory::MemoryStore;
use socialsync_testkit::RecordingNotifier;
use std::sync::Arc;
use wiremock::matchers::{body_json, body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "act.TEST-ACCESS-TOKEN-0001";

fn adapter(server: &MockServer) -> TikTok {
    TikTok::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap()
}

fn account() -> Account {
    Account::new("-000AbCdEfGhIjKlMnOpQrStUvWxYz0123", TOKEN)
}

fn reqs(ids: impl IntoIterator<Item = String>) -> Vec<MetricsRequest> {
    ids.into_iter()
        .map(|id| MetricsRequest {
            id: PlatformPostId::from(id),
            kind: MediaKind::Video,
        })
        .collect()
}

#[tokio::test]
async fn listing_pages_by_millisecond_cursor_until_has_more_is_false() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .and(query_param(
            "fields",
            "id,title,video_description,create_time,share_url,duration,cover_image_url,like_count,comment_count,share_count,view_count",
        ))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(serde_json::json!({"max_count": 20})))
        .respond_with(json(200, "tiktok/video_list_page1_has_more.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .and(body_json(
            serde_json::json!({"max_count": 20, "cursor": 1_764_090_000_000i64}),
        ))
        .respond_with(json(200, "tiktok/video_list_last_page.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let tt = adapter(&server);
    let a = account();
    let mut cursor: Option<PageCursor> = None;
    let mut ids = Vec::new();
    loop {
        let page = tt.list_posts(a.r(), cursor.take()).await.unwrap();
        ids.extend(page.posts.iter().map(|p| p.id.to_string()));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(
        ids,
        [
            "7441000000000000003",
            "7441000000000000002",
            "7441000000000000001"
        ]
    );
}

/// A `video/query` answer echoing every asked id.
struct Echo;

impl wiremock::Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let videos: Vec<serde_json::Value> = body["filters"]["video_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| serde_json::json!({"id": id, "like_count": 1, "comment_count": 2, "share_count": 3, "view_count": 4}))
            .collect();
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": {"videos": videos},
            "error": {"code": "ok", "message": "", "log_id": "x"}
        }))
    }
}

struct IdCount(usize);

impl wiremock::Match for IdCount {
    fn matches(&self, request: &Request) -> bool {
        serde_json::from_slice::<serde_json::Value>(&request.body)
            .ok()
            .and_then(|b| b["filters"]["video_ids"].as_array().map(|a| a.len()))
            == Some(self.0)
    }
}

#[tokio::test]
async fn metrics_are_read_in_batches_of_twenty_ids() {
    let server = MockServer::start().await;
    for (n, times) in [(20, 2), (5, 1)] {
        Mock::given(method("POST"))
            .and(path("/v2/video/query/"))
            .and(query_param(
                "fields",
                "id,like_count,comment_count,share_count,view_count",
            ))
            .and(IdCount(n))
            .respond_with(Echo)
            .expect(times)
            .mount(&server)
            .await;
    }
    let _catch = CatchAll::mount(&server).await;
    let tt = adapter(&server);
    assert_eq!(tt.capabilities().max_batch, 20);
    let asked = reqs((0..45).map(|i| format!("74410000000000{i:05}")));
    let b = tt.fetch_metrics(account().r(), &asked).await.unwrap();
    assert_eq!(b.readings.len(), 45);
    assert!(b.missing.is_empty());
    assert_eq!(b.readings[44].metrics.get(Metric::Views), Some(4));
}

#[tokio::test]
async fn ids_silently_absent_from_the_answer_are_reported_missing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .and(body_partial_json(
            serde_json::json!({"filters": {"video_ids": [
            "7441000000000000003", "7441000000000000002", "7441000000000000009"]}}),
        ))
        .respond_with(json(200, "tiktok/video_query_metrics_batch.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let asked = reqs(
        [
            "7441000000000000003",
            "7441000000000000002",
            "7441000000000000009",
        ]
        .map(String::from),
    );
    let b = adapter(&server)
        .fetch_metrics(account().r(), &asked)
        .await
        .unwrap();
    assert_eq!(b.readings.len(), 2);
    assert_eq!(b.missing, vec![PlatformPostId::from("7441000000000000009")]);
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token_with_lifetimes_from_expires_in() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .and(FormHas("grant_type", "refresh_token"))
        .and(FormHas("client_key", "awfakeclientkey01"))
        .and(FormHas("client_secret", "app-secret-SHHH"))
        .and(FormHas("refresh_token", "rft.OLD"))
        .respond_with(json(200, "tiktok/oauth_token_refresh_success.json"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    // Once rotated, the old refresh token is dead.
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .and(FormHas("refresh_token", "rft.OLD"))
        .respond_with(json(400, "tiktok/oauth_token_refresh_invalid_grant.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let tt = adapter(&server);
    let mut a = account();
    a.credentials = a.credentials.clone().with_refresh_token("rft.OLD");
    let fresh = tt.refresh_credentials(a.r()).await.unwrap();
    assert_eq!(
        fresh.access_token(),
        "act.FakeAccessToken0002zYxWvUtSrQpOnMlKjIhGfEd!6410.va"
    );
    assert_eq!(
        fresh.refresh_token(),
        Some("rft.FakeRefreshToken0002uTsRqPoNmLkJiHgFeDcBa!6412.va")
    );
    assert_eq!(fresh.expires_at, Some(t0() + TimeDelta::seconds(7200)));
    assert_eq!(
        fresh.refresh_expires_at,
        Some(t0() + TimeDelta::seconds(15_551_280))
    );
    assert_eq!(fresh.issued_at, Some(t0()));
    assert_eq!(fresh.granted_scopes, ["user.info.basic", "video.list"]);
    // The old refresh token was rotated away: refused, a disconnection.
    let e = tt.refresh_credentials(a.r()).await.unwrap_err();
    assert_eq!(e.kind, K::TokenInvalid(DisconnectReason::RefreshRejected));
}

#[tokio::test]
async fn refresh_without_a_refresh_token_or_past_its_expiry_calls_nothing() {
    let server = MockServer::start().await;
    let _catch = CatchAll::mount(&server).await;
    let tt = adapter(&server);
    let a = account();
    let e = tt.refresh_credentials(a.r()).await.unwrap_err();
    assert_eq!(e.kind, K::TokenInvalid(DisconnectReason::RefreshRejected));
    let mut a = account();
    a.credentials = a.credentials.clone().with_refresh_token("rft.X");
    a.credentials.refresh_expires_at = Some(t0() - TimeDelta::seconds(1));
    let e = tt.refresh_credentials(a.r()).await.unwrap_err();
    assert_eq!(e.kind, K::TokenInvalid(DisconnectReason::RefreshRejected));
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_a_minute_without_hammering() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(json(429, "tiktok/error_rate_limit_exceeded.json"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(json(200, "tiktok/video_list_last_page.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let tt = adapter(&server);
    let e = tt.list_posts(account().r(), None).await.unwrap_err();
    assert_eq!(
        e.kind,
        K::RateLimited {
            until: Some(t0() + TimeDelta::seconds(60)),
            reach: socialsync_core::platform::LimitReach::Minute
        }
    );
    assert!(e.is_retryable());
    // Later, the call goes through.
    assert_eq!(
        tt.list_posts(account().r(), None)
            .await
            .unwrap()
            .posts
            .len(),
        1
    );
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_200() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(
            json(429, "tiktok/error_rate_limit_exceeded.json").insert_header("retry-after", "1"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(json(200, "tiktok/video_list_last_page.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let started = std::time::Instant::now();
    let page = adapter(&server)
        .list_posts(account().r(), None)
        .await
        .unwrap();
    assert_eq!(page.posts.len(), 1);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn a_500_internal_error_then_200_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(json(500, "tiktok/error_internal_error.json"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(json(200, "tiktok/video_query_metrics_batch.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let b = adapter(&server)
        .fetch_metrics(account().r(), &reqs(["7441000000000000003".to_string()]))
        .await
        .unwrap();
    assert_eq!(b.readings.len(), 1);
}

#[tokio::test]
async fn malformed_json_is_an_invalid_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("{\"data\": {\"videos\": [", "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let e = adapter(&server)
        .list_posts(account().r(), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, K::InvalidResponse);
    assert!(!e.to_string().contains(TOKEN));
}

#[tokio::test]
async fn a_missing_scope_401_is_a_permission_not_a_dead_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(json(401, "tiktok/error_scope_not_authorized.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(json(401, "tiktok/error_scope_not_authorized.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let tt = adapter(&server);
    let e = tt
        .fetch_metrics(account().r(), &reqs(["1".to_string()]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, K::PermissionMissing("video.list".into()));
    let e = tt.get_account(account().r()).await.unwrap_err();
    assert_eq!(e.kind, K::PermissionMissing("user.info.basic".into()));
}

#[tokio::test]
async fn an_invalid_access_token_is_a_token_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(json(401, "tiktok/error_access_token_invalid.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let e = adapter(&server)
        .list_posts(account().r(), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, K::TokenInvalid(DisconnectReason::TokenExpired));
}

#[tokio::test]
async fn the_per_endpoint_budget_is_enforced_before_calling_and_shared_through_the_store() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(json(200, "tiktok/video_list_empty.json"))
        .expect(4)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(json(200, "tiktok/video_query_metrics_batch.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    // Two workers sharing one store's budget: 3 list calls per minute in all.
    let store = Arc::new(MemoryStore::new());
    let budget: Arc<dyn SharedBudget> = store.clone();
    let c = clock();
    let worker = || {
        TikTok::builder()
            .with_base_url(server.uri())
            .with_app_credentials(app())
            .with_clock(c.clone())
            .with_budget(budget.clone())
            .with_rate_limit(3, TimeDelta::minutes(1))
            .build()
            .unwrap()
    };
    let (w1, w2) = (worker(), worker());
    let a = account();
    w1.list_posts(a.r(), None).await.unwrap();
    w2.list_posts(a.r(), None).await.unwrap();
    w1.list_posts(a.r(), None).await.unwrap();
    let e = w2.list_posts(a.r(), None).await.unwrap_err();
    assert_eq!(
        e.kind,
        K::RateLimited {
            until: Some(t0() + TimeDelta::minutes(1)),
            reach: socialsync_core::platform::LimitReach::Minute
        }
    );
    // Another endpoint has its own budget.
    w2.fetch_metrics(a.r(), &reqs(["7441000000000000003".to_string()]))
        .await
        .unwrap();
    // The next minute, calls resume.
    c.advance(TimeDelta::minutes(1));
    w2.list_posts(a.r(), None).await.unwrap();
}

#[tokio::test]
async fn connecting_builds_the_consent_url_and_exchanges_the_code_for_the_identity() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .and(FormHas("grant_type", "authorization_code"))
        .and(FormHas("code", "the-code"))
        .and(FormHas("client_key", "awfakeclientkey01"))
        .and(FormHas("redirect_uri", "https://host.example/cb"))
        .and(FormHas("code_verifier", "VERIFIER"))
        .respond_with(json(200, "tiktok/oauth_token_exchange_success.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .and(header(
            "authorization",
            "Bearer act.FakeAccessToken0001xYzAbCdEfGhIjKlMnOpQrSt!6410.va",
        ))
        .respond_with(json(200, "tiktok/user_info_success.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let tt = TikTok::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_pkce(true)
        .build()
        .unwrap();
    let consent = tt.authorization_url("https://host.example/cb").unwrap();
    let q: std::collections::HashMap<_, _> = consent.url.query_pairs().into_owned().collect();
    assert_eq!(q["client_key"], "awfakeclientkey01");
    assert_eq!(q["scope"], "user.info.basic,user.info.stats,video.list");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["state"], consent.state);
    assert!(consent.state.len() >= 16);
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(consent.pkce_verifier.is_some());
    // The verifier is secret: Debug never shows it.
    assert!(format!("{consent:?}").contains("[redacted]"));
    let verifier = secrecy::SecretString::from("VERIFIER".to_string());
    let connected = tt
        .exchange_code(
            CodeExchange::new("the-code", "https://host.example/cb")
                .with_pkce_verifier(Some(verifier)),
        )
        .await
        .unwrap();
    assert_eq!(
        connected.account.id.as_str(),
        "-000AbCdEfGhIjKlMnOpQrStUvWxYz0123"
    );
    assert_eq!(connected.account.handle, "Ana Creates");
    assert_eq!(
        connected.credentials.expires_at,
        Some(t0() + TimeDelta::hours(2))
    );
    let new = connected.into_new_connection(socialsync_core::ids::CreatorId(7));
    assert_eq!(new.platform, socialsync_core::platform::Platform::TikTok);
    assert_eq!(new.handle, "Ana Creates");
}

#[tokio::test]
async fn the_authorization_removed_webhook_is_verified_and_becomes_a_disconnection() {
    let body = fixture("tiktok/webhook_authorization_removed.json");
    let verifier = WebhookVerifier::new(&app());
    let now = socialsync_core::clock::Timestamp::from_timestamp(1_764_333_727 + 30, 0).unwrap();
    let sig = verifier.sign(1_764_333_727, &body);
    let removed = verifier
        .authorization_removed(Some(&sig), &body, now)
        .unwrap()
        .unwrap();
    assert_eq!(
        removed.reason.disconnect_reason(),
        DisconnectReason::AppRemoved
    );
    // Tampered body, wrong secret, missing header, replay.
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert_eq!(
        verifier.verify(Some(&sig), &tampered, now).unwrap_err(),
        WebhookError::BadSignature
    );
    let other = WebhookVerifier::new(&socialsync_adapters::AppCredentials::new(
        "awfakeclientkey01",
        "another-secret",
    ));
    assert_eq!(
        other.verify(Some(&sig), &body, now).unwrap_err(),
        WebhookError::BadSignature
    );
    assert_eq!(
        verifier.verify(None, &body, now).unwrap_err(),
        WebhookError::MalformedSignature
    );
    assert_eq!(
        verifier
            .verify(Some(&sig), &body, now + TimeDelta::hours(1))
            .unwrap_err(),
        WebhookError::Stale
    );

    // The engine disconnects the creator's TikTok connection, publishes it
    // and notifies the host, once however often TikTok delivers.
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let notifier = Arc::new(RecordingNotifier::default());
    let engine = Engine::builder()
        .with_store(store.clone())
        .with_clock(Arc::new(ManualClock::at(now)))
        .with_notifier(notifier.clone())
        .build()
        .unwrap();
    // Deliveries of the same removal, signed one second apart.
    let delivery = |dt: i64| {
        verifier
            .authorization_removed(Some(&verifier.sign(1_764_333_727 + dt, &body)), &body, now)
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        removed.disconnect(&engine).await.unwrap(),
        Delivered::Handled(None),
        "no connection yet"
    );
    let creator = store
        .create_creator(
            NewCreator {
                name: "Ana".into(),
                external_ref: None,
            },
            now,
        )
        .await
        .unwrap();
    let new_connection = || NewConnection {
        creator: creator.id,
        platform: socialsync_core::platform::Platform::TikTok,
        account_id: removed.open_id.clone(),
        handle: "Ana Creates".into(),
        credentials: socialsync_core::credentials::Credentials::new("act.X"),
    };
    let connected = store.connect(new_connection(), now).await.unwrap();
    // The delivery seen before the connection existed, replayed: nothing.
    assert_eq!(
        removed.disconnect(&engine).await.unwrap(),
        Delivered::Replayed
    );
    assert!(
        store
            .get_connection(connected.connection.id)
            .await
            .unwrap()
            .unwrap()
            .status
            .is_active()
    );
    let first = delivery(1);
    let d = first
        .disconnect(&engine)
        .await
        .unwrap()
        .disconnection()
        .cloned()
        .unwrap();
    assert!(d.newly_disconnected);
    assert_eq!(d.connection, connected.connection.id);
    assert_eq!(d.reason, DisconnectReason::AppRemoved);
    let conn = store
        .get_connection(connected.connection.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!conn.status.is_active());
    let disconnected = |events: &[socialsync_core::events::StoredEvent]| {
        events
            .iter()
            .filter(|e| {
                matches!(&e.event, Event::Connection(c) if matches!(c.change, ConnectionChange::Disconnected { .. }))
            })
            .count()
    };
    let events = store.list_events(None, 100).await.unwrap();
    assert_eq!(disconnected(&events), 1);
    assert_eq!(notifier.lost(), std::slice::from_ref(&d));
    // Another delivery of the removal (TikTok delivers at least once)
    // changes nothing.
    let again = delivery(2).disconnect(&engine).await.unwrap();
    let again = again.disconnection().unwrap();
    assert_eq!((again.id, again.newly_disconnected), (d.id, false));
    assert_eq!(
        store.list_events(None, 100).await.unwrap(),
        events,
        "nothing published again"
    );
    assert_eq!(notifier.lost().len(), 1, "notified once");

    // The creator reconnects; the first delivery replayed inside its window
    // leaves the new connection alone.
    let reconnected = store.connect(new_connection(), now).await.unwrap();
    assert!(reconnected.connection.status.is_active());
    assert_eq!(
        first.disconnect(&engine).await.unwrap(),
        Delivered::Replayed
    );
    let conn = store
        .get_connection(reconnected.connection.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        conn.status.is_active(),
        "a replay disconnected the new connection"
    );
    assert_eq!(notifier.lost().len(), 1);
}

fn user_info(video_count: Option<serde_json::Value>) -> ResponseTemplate {
    let mut user = serde_json::json!({
        "open_id": "-000AbCdEfGhIjKlMnOpQrStUvWxYz0123",
        "union_id": "c9b0fake-1a2b-4c3d-9e8f-0a1b2c3d4e5f",
        "avatar_url": "https://p16-sign.tiktokcdn-us.com/a.jpeg",
        "display_name": "Ana Creates"
    });
    if let Some(v) = video_count {
        user["video_count"] = v;
    }
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "data": {"user": user},
        "error": {"code": "ok", "message": "", "log_id": "1"}
    }))
}

#[tokio::test]
async fn the_account_read_gives_its_video_count_with_the_stats_scope() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .and(query_param(
            "fields",
            "open_id,union_id,avatar_url,display_name,video_count",
        ))
        .respond_with(user_info(Some(serde_json::json!(19))))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let mut acc = account();
    acc.credentials.granted_scopes = vec![
        "user.info.basic".into(),
        "user.info.stats".into(),
        "video.list".into(),
    ];
    let a = adapter(&server).get_account(acc.r()).await.unwrap();
    assert_eq!(a.post_count, Some(19));
}

#[tokio::test]
async fn without_the_stats_scope_the_count_is_not_asked_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .and(query_param(
            "fields",
            "open_id,union_id,avatar_url,display_name",
        ))
        .respond_with(user_info(None))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let mut acc = account();
    acc.credentials.granted_scopes = vec!["user.info.basic".into(), "video.list".into()];
    let a = adapter(&server).get_account(acc.r()).await.unwrap();
    assert_eq!(a.post_count, None);
    assert_eq!(a.handle, "Ana Creates");
}
