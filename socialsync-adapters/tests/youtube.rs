//! YouTube against wiremock servers speaking the Data API's formats.

mod common;

use chrono::TimeDelta;
use common::{Account, CatchAll, FormHas, QueryCount, app, clock, fast_retry, json, t0};
use socialsync_adapters::youtube::{YouTube, next_quota_reset};
use socialsync_adapters::{CodeExchange, Connector};
use socialsync_core::domain::{DisconnectReason, MediaKind};
use socialsync_core::ids::PlatformPostId;
use socialsync_core::metrics::Metric;
use socialsync_core::platform::{
    MetricsRequest, PageCursor, PlatformErrorKind as K, SocialPlatform,
};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "ya29.TEST-ACCESS-0001";

fn builder(server: &MockServer) -> socialsync_adapters::youtube::YouTubeBuilder {
    YouTube::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
}

fn adapter(server: &MockServer) -> YouTube {
    builder(server).build().unwrap()
}

fn account() -> Account {
    Account::new("UCa1b2c3d4e5f6g7h8i9j0kA", TOKEN)
}

fn reqs(ids: impl IntoIterator<Item = String>) -> Vec<MetricsRequest> {
    ids.into_iter()
        .map(|id| MetricsRequest {
            id: PlatformPostId::from(id),
            kind: MediaKind::Video,
        })
        .collect()
}

fn details(ids: &[(&str, &str, &[&str])]) -> ResponseTemplate {
    let items: Vec<_> = ids
        .iter()
        .map(|(id, privacy, tags)| {
            serde_json::json!({"kind": "youtube#video", "id": id,
                "snippet": {"publishedAt": "2026-11-01T00:00:00Z", "title": "t", "description": "d", "tags": tags},
                "status": {"privacyStatus": privacy, "uploadStatus": "processed"}})
        })
        .collect();
    ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({"kind": "youtube#videoListResponse", "items": items}))
}

#[tokio::test]
async fn listing_reads_the_uploads_playlist_page_by_page_to_the_end() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/channels"))
        .and(query_param("part", "contentDetails"))
        .and(query_param("mine", "true"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(json(200, "youtube/channels_list_mine_content_details.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/playlistItems"))
        .and(query_param("playlistId", "UUa1b2c3d4e5f6g7h8i9j0kA"))
        .and(query_param("maxResults", "50"))
        .and(query_param_is_missing("pageToken"))
        .respond_with(json(200, "youtube/playlist_items_uploads_page1.json"))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/playlistItems"))
        .and(query_param("pageToken", "EAAaBlBUOkNBSQ"))
        .respond_with(json(200, "youtube/playlist_items_uploads_last_page.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .and(query_param("part", "snippet,status"))
        .and(query_param("id", "Xk3mP9qL2aB,Rt7uV1wZ0cD"))
        .respond_with(details(&[
            ("Xk3mP9qL2aB", "public", &["brand x", "unboxing"]),
            ("Rt7uV1wZ0cD", "private", &[]),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .and(query_param("id", "Hn5jK8sE4fG"))
        .respond_with(details(&[("Hn5jK8sE4fG", "unlisted", &[])]))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let yt = adapter(&server);
    let a = account();
    let mut cursor: Option<PageCursor> = None;
    let mut posts = Vec::new();
    loop {
        let page = yt.list_posts(a.r(), cursor.take()).await.unwrap();
        posts.extend(page.posts);
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[0].keyword_tags, ["brand x", "unboxing"]);
    assert_eq!(
        posts[0].published_at.unwrap().to_rfc3339(),
        "2026-11-27T17:00:00+00:00"
    );
    // Made private since: not monitored (yet).
    assert_eq!(posts[1].published_at, None);
    assert!(posts[2].published_at.is_some());
    // A second discovery reuses the remembered uploads playlist (channels once).
    yt.list_posts(a.r(), None).await.unwrap();
}

struct EchoVideos;

impl wiremock::Respond for EchoVideos {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let ids = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let items: Vec<_> = ids
            .split(',')
            .map(|id| serde_json::json!({"id": id, "statistics": {"viewCount": "10", "likeCount": "2", "favoriteCount": "0"}}))
            .collect();
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"items": items}))
    }
}

#[tokio::test]
async fn statistics_are_read_in_batches_of_fifty_ids_one_unit_each() {
    let server = MockServer::start().await;
    for (n, times) in [(50, 2), (20, 1)] {
        Mock::given(method("GET"))
            .and(path("/youtube/v3/videos"))
            .and(query_param("part", "statistics"))
            .and(QueryCount("id", n))
            .respond_with(EchoVideos)
            .expect(times)
            .mount(&server)
            .await;
    }
    let _catch = CatchAll::mount(&server).await;
    let yt = adapter(&server);
    assert_eq!(yt.capabilities().max_batch, 50);
    let b = yt
        .fetch_metrics(account().r(), &reqs((0..120).map(|i| format!("vid{i:08}"))))
        .await
        .unwrap();
    assert_eq!(b.readings.len(), 120);
    // Comments not given: absent, not zero.
    assert_eq!(b.readings[0].metrics.get(Metric::Comments), None);
    assert_eq!(b.readings[0].metrics.get(Metric::Views), Some(10));
}

#[tokio::test]
async fn missing_ids_are_reported_missing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .and(query_param("id", "Xk3mP9qL2aB,Rt7uV1wZ0cD,Hn5jK8sE4fG"))
        .respond_with(json(200, "youtube/videos_list_statistics_batch.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let b = adapter(&server)
        .fetch_metrics(
            account().r(),
            &reqs(["Xk3mP9qL2aB", "Rt7uV1wZ0cD", "Hn5jK8sE4fG"].map(String::from)),
        )
        .await
        .unwrap();
    assert_eq!(b.missing, vec![PlatformPostId::from("Rt7uV1wZ0cD")]);
    assert_eq!(b.readings.len(), 2);
}

#[tokio::test]
async fn refresh_keeps_the_stored_refresh_token_when_google_returns_none() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(FormHas("grant_type", "refresh_token"))
        .and(FormHas("refresh_token", "1//stored-refresh"))
        .and(FormHas("client_id", "awfakeclientkey01"))
        .respond_with(json(200, "youtube/oauth_token_refresh_success.json"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(json(400, "youtube/oauth_token_refresh_invalid_grant.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let yt = adapter(&server);
    let mut a = account();
    a.credentials = a
        .credentials
        .clone()
        .with_refresh_token("1//stored-refresh");
    let fresh = yt.refresh_credentials(a.r()).await.unwrap();
    assert_eq!(
        fresh.access_token(),
        "ya29.a0FakeAccessToken0001-xYzAbCdEfGhIjKlMnOpQrStUvWxYz"
    );
    assert_eq!(fresh.refresh_token(), Some("1//stored-refresh"));
    assert_eq!(fresh.expires_at, Some(t0() + TimeDelta::seconds(3599)));
    assert_eq!(
        fresh.granted_scopes,
        ["https://www.googleapis.com/auth/youtube.readonly"]
    );
    // Revoked: the refresh is refused.
    let e = yt.refresh_credentials(a.r()).await.unwrap_err();
    assert_eq!(e.kind, K::TokenInvalid(DisconnectReason::RefreshRejected));
}

#[tokio::test]
async fn the_daily_quota_is_spent_before_calling_and_resets_at_midnight_pacific() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(EchoVideos)
        .expect(2)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let yt = builder(&server).with_daily_quota(2).build().unwrap();
    let a = account();
    for _ in 0..2 {
        yt.fetch_metrics(a.r(), &reqs(["v1".to_string()]))
            .await
            .unwrap();
    }
    let e = yt
        .fetch_metrics(a.r(), &reqs(["v1".to_string()]))
        .await
        .unwrap_err();
    // 2026-11-28T12:00Z is 04:00 PST: the quota day ends 2026-11-29T08:00Z.
    let reset: socialsync_core::clock::Timestamp = "2026-11-29T08:00:00Z".parse().unwrap();
    assert_eq!(next_quota_reset(t0()), reset);
    assert_eq!(
        e.kind,
        K::RateLimited {
            until: Some(reset),
            reach: socialsync_core::platform::LimitReach::DailyQuota
        }
    );
}

#[tokio::test]
async fn quota_exceeded_from_google_backs_off_until_midnight_pacific() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(json(403, "youtube/error_quota_exceeded_403.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let e = adapter(&server)
        .fetch_metrics(account().r(), &reqs(["v1".to_string()]))
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        K::RateLimited {
            until: Some("2026-11-29T08:00:00Z".parse().unwrap()),
            reach: socialsync_core::platform::LimitReach::DailyQuota
        }
    );
}

#[tokio::test]
async fn a_429_with_retry_after_then_200() {
    let server = MockServer::start().await;
    let body = serde_json::json!({"error": {"code": 429, "message": "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute'", "errors": [{"message": "m", "domain": "global", "reason": "rateLimitExceeded"}], "status": "RESOURCE_EXHAUSTED"}});
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(body)
                .insert_header("retry-after", "1"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(EchoVideos)
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let b = adapter(&server)
        .fetch_metrics(account().r(), &reqs(["v1".to_string()]))
        .await
        .unwrap();
    assert_eq!(b.readings.len(), 1);
}

#[tokio::test]
async fn a_503_then_200_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(json(503, "youtube/error_backend_503.json"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(EchoVideos)
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let b = adapter(&server)
        .fetch_metrics(account().r(), &reqs(["v1".to_string()]))
        .await
        .unwrap();
    assert_eq!(b.readings.len(), 1);
}

#[tokio::test]
async fn a_503_that_persists_is_unavailable_after_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(json(503, "youtube/error_backend_503.json"))
        .expect(3)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let e = adapter(&server)
        .fetch_metrics(account().r(), &reqs(["v1".to_string()]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, K::Unavailable);
}

#[tokio::test]
async fn a_missing_scope_is_a_permission_and_an_expired_token_a_token_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(json(403, "youtube/error_insufficient_scopes_403.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/channels"))
        .respond_with(json(401, "youtube/error_auth_invalid_credentials_401.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let yt = adapter(&server);
    let e = yt
        .fetch_metrics(account().r(), &reqs(["v1".to_string()]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, K::PermissionMissing("youtube.readonly".into()));
    let e = yt.get_account(account().r()).await.unwrap_err();
    assert_eq!(e.kind, K::TokenInvalid(DisconnectReason::TokenExpired));
}

#[tokio::test]
async fn malformed_json_is_an_invalid_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("{\"items\": [{\"id\": 7", "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let e = adapter(&server)
        .fetch_metrics(account().r(), &reqs(["v1".to_string()]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, K::InvalidResponse);
}

#[tokio::test]
async fn connecting_asks_offline_read_only_access_with_pkce_and_reads_the_channel() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(FormHas("grant_type", "authorization_code"))
        .and(FormHas("code", "4/0code"))
        .and(FormHas("code_verifier", "VERIFIER"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "ya29.NEW", "expires_in": 3599, "refresh_token": "1//new-refresh",
            "scope": "https://www.googleapis.com/auth/youtube.readonly", "token_type": "Bearer"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/channels"))
        .and(query_param("part", "snippet,contentDetails,statistics"))
        .and(header("authorization", "Bearer ya29.NEW"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "items": [{"id": "UCa1b2c3d4e5f6g7h8i9j0kA", "snippet": {"title": "Ana Creates"},
                       "contentDetails": {"relatedPlaylists": {"uploads": "UUa1b2c3d4e5f6g7h8i9j0kA"}}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let yt = adapter(&server);
    let consent = yt.authorization_url("https://host.example/cb").unwrap();
    let q: std::collections::HashMap<_, _> = consent.url.query_pairs().into_owned().collect();
    assert_eq!(
        q["scope"],
        "https://www.googleapis.com/auth/youtube.readonly"
    );
    assert_eq!(q["access_type"], "offline");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["state"], consent.state);
    assert!(consent.pkce_verifier.is_some());
    let verifier = secrecy::SecretString::from("VERIFIER".to_string());
    let c = yt
        .exchange_code(
            CodeExchange::new("4/0code", "https://host.example/cb")
                .with_pkce_verifier(Some(verifier)),
        )
        .await
        .unwrap();
    assert_eq!(c.account.id.as_str(), "UCa1b2c3d4e5f6g7h8i9j0kA");
    assert_eq!(c.account.handle, "Ana Creates");
    assert_eq!(c.credentials.refresh_token(), Some("1//new-refresh"));
}

#[tokio::test]
async fn an_account_without_a_channel_cannot_connect() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "ya29.NEW", "expires_in": 3599, "token_type": "Bearer"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/channels"))
        .respond_with(json(200, "youtube/channels_list_mine_no_channel.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let e = adapter(&server)
        .exchange_code(CodeExchange::new("c", "https://host.example/cb"))
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        socialsync_adapters::ConnectError::Unsupported(_)
    ));
}

#[tokio::test]
async fn a_server_that_does_not_answer_in_time_is_unavailable_after_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"items": []}))
                .set_delay(std::time::Duration::from_secs(2)),
        )
        .expect(2)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let yt = builder(&server)
        .with_timeout(std::time::Duration::from_millis(200))
        .with_retry(socialsync_adapters::RetrySettings {
            max_retries: 1,
            ..fast_retry()
        })
        .build()
        .unwrap();
    let e = yt
        .fetch_metrics(account().r(), &reqs(["v1".to_string()]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, K::Unavailable);
    assert_eq!(e.detail.as_deref(), Some("timed out"));
}

#[tokio::test]
async fn the_account_read_gives_its_video_count() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/channels"))
        .and(query_param("part", "snippet,contentDetails,statistics"))
        .and(query_param("mine", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "kind": "youtube#channelListResponse",
            "items": [{
                "kind": "youtube#channel",
                "id": "UCa1b2c3d4e5f6g7h8i9j0kA",
                "snippet": {"title": "Ana Creates"},
                "contentDetails": {"relatedPlaylists": {"uploads": "UUa1b2c3d4e5f6g7h8i9j0kA"}},
                "statistics": {
                    "viewCount": "123456",
                    "subscriberCount": "1200",
                    "hiddenSubscriberCount": false,
                    "videoCount": "37"
                }
            }]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let a = adapter(&server).get_account(account().r()).await.unwrap();
    assert_eq!(a.post_count, Some(37));
    assert_eq!(a.handle, "Ana Creates");
}

const API_KEY: &str = "AIzaSyTEST-KEY-0000000000000000000";

#[tokio::test]
async fn public_statistics_are_read_with_the_api_key_from_their_own_bucket() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos:batchGetStats"))
        .and(query_param("part", "statistics"))
        .and(query_param("id", "Xk3mP9qL2aB,Rt7uV1wZ0cD,Hn5jK8sE4fG"))
        .and(header("x-goog-api-key", API_KEY))
        .and(query_param_is_missing("key"))
        .respond_with(json(200, "youtube/videos_batch_get_stats.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let yt = builder(&server).with_api_key(API_KEY).build().unwrap();
    assert_eq!(yt.capabilities().public_batch, 50);
    let b = yt
        .fetch_public_metrics(&reqs(
            ["Xk3mP9qL2aB", "Rt7uV1wZ0cD", "Hn5jK8sE4fG"].map(String::from),
        ))
        .await
        .unwrap();
    // The key cannot see the second video: missing, for the token to read.
    assert_eq!(b.missing, vec![PlatformPostId::from("Rt7uV1wZ0cD")]);
    assert_eq!(b.readings.len(), 2);
    assert_eq!(b.readings[0].metrics.get(Metric::Views), Some(48_211));
    assert_eq!(b.readings[1].metrics.get(Metric::Comments), None);
}

#[tokio::test]
async fn the_batch_stats_bucket_is_spent_before_calling_and_apart_from_the_project_quota() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos:batchGetStats"))
        .respond_with(EchoVideos)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(EchoVideos)
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let yt = builder(&server)
        .with_api_key(API_KEY)
        .with_batch_stats_quota(2)
        .with_daily_quota(1)
        .build()
        .unwrap();
    for _ in 0..2 {
        yt.fetch_public_metrics(&reqs(["v1".to_string()]))
            .await
            .unwrap();
    }
    let e = yt
        .fetch_public_metrics(&reqs(["v1".to_string()]))
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind, K::RateLimited { .. }),
        "the bucket is used up: {e}"
    );
    // The project quota is its own: one token read still goes out.
    yt.fetch_metrics(account().r(), &reqs(["v1".to_string()]))
        .await
        .unwrap();
}

#[tokio::test]
async fn without_an_api_key_nothing_is_read_publicly_and_nothing_is_called() {
    let server = MockServer::start().await;
    let _catch = CatchAll::mount(&server).await;
    let yt = adapter(&server);
    assert_eq!(yt.capabilities().public_batch, 0);
    let b = yt
        .fetch_public_metrics(&reqs(["v1".to_string()]))
        .await
        .unwrap();
    assert_eq!(b.missing, vec![PlatformPostId::from("v1")]);
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

#[test]
fn the_api_key_never_shows_in_debug() {
    let b = YouTube::builder()
        .with_api_key(API_KEY)
        .with_app_credentials(app());
    assert!(!format!("{b:?}").contains(API_KEY));
    let yt = b.build().unwrap();
    assert!(!format!("{yt:?}").contains(API_KEY));
}
