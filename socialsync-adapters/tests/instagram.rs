//! Instagram against wiremock servers speaking the Graph API's formats.

mod common;

use chrono::TimeDelta;
use common::{Account, CatchAll, FormHas, app, clock, fast_retry, fixture_str, json, t0};
use socialsync_adapters::Connector;
use socialsync_adapters::instagram::{Instagram, UsagePolicy};
use socialsync_core::domain::{DisconnectReason, MediaKind};
use socialsync_core::ids::PlatformPostId;
use socialsync_core::metrics::{Metric, MetricSet};
use socialsync_core::platform::{
    MetricsRequest, PageCursor, PlatformErrorKind as K, SocialPlatform,
};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "IGAA-TEST-LONG-LIVED-0001";
const FEED: &str = "views,reach,likes,comments,shares,saved,total_interactions";
const REELS: &str = "views,reach,likes,comments,shares,saved,total_interactions,ig_reels_avg_watch_time,ig_reels_video_view_total_time";

fn adapter(server: &MockServer) -> Instagram {
    Instagram::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap()
}

fn account() -> Account {
    Account::new("17841400000000001", TOKEN)
}

fn req(id: &str, kind: MediaKind) -> MetricsRequest {
    MetricsRequest {
        id: PlatformPostId::from(id),
        kind,
    }
}

fn insights(id: &'static str, metric: &'static str) -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{id}/insights")))
        .and(query_param("metric", metric))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
}

#[tokio::test]
async fn listing_follows_after_cursors_to_the_end_and_never_the_next_url() {
    let server = MockServer::start().await;
    let fields = "id,caption,media_type,media_product_type,permalink,shortcode,timestamp,like_count,comments_count";
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .and(query_param("fields", fields))
        .and(query_param("limit", "25"))
        .and(query_param_is_missing("after"))
        .and(query_param_is_missing("access_token"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(json(200, "instagram/media_list_page1_with_next.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .and(query_param("after", "QVFIUmlKdXBzYWtyUml3"))
        .respond_with(json(200, "instagram/media_list_last_page.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let ig = adapter(&server);
    let a = account();
    let mut cursor: Option<PageCursor> = None;
    let mut ids = Vec::new();
    loop {
        let page = ig.list_posts(a.r(), cursor.take()).await.unwrap();
        ids.extend(page.posts.iter().map(|p| p.id.to_string()));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(ids.len(), 5);
    assert_eq!(ids[4], "18040000000000001");
}

#[tokio::test]
async fn one_insights_call_per_media_with_the_metric_set_of_its_product_type() {
    let server = MockServer::start().await;
    insights("18040000000000004", FEED)
        .respond_with(json(200, "instagram/media_insights_feed.json"))
        .expect(1)
        .mount(&server)
        .await;
    insights("18040000000000005", REELS)
        .respond_with(json(200, "instagram/media_insights_reel.json"))
        .expect(1)
        .mount(&server)
        .await;
    insights("18040000000000006", FEED)
        .respond_with(json(200, "instagram/media_insights_unavailable_empty.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let b = adapter(&server)
        .fetch_metrics(
            account().r(),
            &[
                req("18040000000000004", MediaKind::Image),
                req("18040000000000005", MediaKind::Reel),
                req("18040000000000006", MediaKind::Carousel),
            ],
        )
        .await
        .unwrap();
    assert_eq!(b.readings.len(), 3);
    assert_eq!(b.readings[0].metrics.get(Metric::Saves), Some(57));
    assert_eq!(
        b.readings[1].metrics.get(Metric::AvgWatchTimeMs),
        Some(6840)
    );
    // Insights not available yet: absent, not zero.
    assert_eq!(b.readings[2].metrics.get(Metric::Views), None);
    assert!(b.missing.is_empty());
}

#[tokio::test]
async fn a_rejected_metric_is_dropped_the_others_land_and_it_is_not_asked_again() {
    let server = MockServer::start().await;
    let without_views = "reach,likes,comments,shares,saved,total_interactions";
    insights("18040000000000004", FEED)
        .respond_with(json(
            400,
            "instagram/error_insights_metric_unsupported_100.json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    insights("18040000000000004", without_views)
        .respond_with(json(200, "instagram/media_insights_feed.json"))
        .expect(1)
        .mount(&server)
        .await;
    insights("18040000000000007", without_views)
        .respond_with(json(200, "instagram/media_insights_feed.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let ig = adapter(&server);
    let b = ig
        .fetch_metrics(account().r(), &[req("18040000000000004", MediaKind::Image)])
        .await
        .unwrap();
    let r = &b.readings[0];
    assert_eq!(r.unsupported, MetricSet::of(&[Metric::Views]));
    assert_eq!(r.metrics.get(Metric::Reach), Some(6033));
    // The next post of that kind is read without the rejected metric at once.
    let b = ig
        .fetch_metrics(account().r(), &[req("18040000000000007", MediaKind::Image)])
        .await
        .unwrap();
    assert_eq!(b.readings[0].unsupported, MetricSet::of(&[Metric::Views]));
}

#[tokio::test]
async fn a_story_with_too_few_viewers_has_absent_metrics_not_a_permission_problem() {
    let server = MockServer::start().await;
    let body = serde_json::json!({"error": {"message": "(#10) Not enough viewers for the media to show insights", "type": "OAuthException", "code": 10, "fbtrace_id": "x"}});
    insights(
        "18040000000000008",
        "views,reach,replies,shares,total_interactions,follows,profile_visits",
    )
    .respond_with(ResponseTemplate::new(400).set_body_json(body))
    .expect(1)
    .mount(&server)
    .await;
    let _catch = CatchAll::mount(&server).await;
    let b = adapter(&server)
        .fetch_metrics(account().r(), &[req("18040000000000008", MediaKind::Story)])
        .await
        .unwrap();
    assert_eq!(b.readings.len(), 1);
    assert!(b.readings[0].missing_permissions.is_empty());
    assert_eq!(b.readings[0].metrics, Default::default());
}

#[tokio::test]
async fn without_the_insights_permission_the_counters_are_read_and_the_connection_degraded() {
    let server = MockServer::start().await;
    insights("18040000000000004", FEED)
        .respond_with(json(400, "instagram/error_permission_missing_10.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/18040000000000004"))
        .and(query_param("fields", "id,like_count,comments_count"))
        .respond_with(json(200, "instagram/media_node_counters.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let b = adapter(&server)
        .fetch_metrics(account().r(), &[req("18040000000000004", MediaKind::Image)])
        .await
        .unwrap();
    let r = &b.readings[0];
    assert_eq!(r.metrics.get(Metric::Likes), Some(804));
    assert_eq!(r.metrics.get(Metric::Views), None);
    assert_eq!(
        r.missing_permissions,
        ["instagram_business_manage_insights"]
    );
}

#[tokio::test]
async fn not_found_media_is_reported_missing_and_get_post_says_none() {
    let server = MockServer::start().await;
    insights("18040000000000009", FEED)
        .respond_with(json(400, "instagram/error_not_found_100_33.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/18040000000000009"))
        .respond_with(json(400, "instagram/error_not_found_100_33.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let ig = adapter(&server);
    let b = ig
        .fetch_metrics(account().r(), &[req("18040000000000009", MediaKind::Image)])
        .await
        .unwrap();
    assert_eq!(b.missing, vec![PlatformPostId::from("18040000000000009")]);
    let id = PlatformPostId::from("18040000000000009");
    assert_eq!(ig.get_post(account().r(), &id).await.unwrap(), None);
}

#[tokio::test]
async fn an_expired_token_is_a_token_error_though_sent_as_400() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(json(400, "instagram/error_token_expired_190_463.json"))
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
async fn a_transient_500_then_200_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(json(500, "instagram/error_transient_2.json"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(json(200, "instagram/media_list_empty.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let page = adapter(&server)
        .list_posts(account().r(), None)
        .await
        .unwrap();
    assert!(page.posts.is_empty() && page.next.is_none());
}

#[tokio::test]
async fn usage_headers_pause_the_connection_before_meta_throttles_it() {
    let server = MockServer::start().await;
    let hot = serde_json::json!({"17841400000000001": [{"type": "instagram", "call_count": 91, "total_cputime": 20, "total_time": 30, "estimated_time_to_regain_access": 0}]});
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(
            json(200, "instagram/media_list_empty.json")
                .insert_header("x-business-use-case-usage", hot.to_string().as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .and(header("authorization", "Bearer OTHER-TOKEN"))
        .respond_with(json(200, "instagram/media_list_empty.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let ig = Instagram::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_usage_policy(UsagePolicy {
            slow_down_at: 85,
            pause: TimeDelta::minutes(10),
        })
        .build()
        .unwrap();
    let a = account();
    ig.list_posts(a.r(), None).await.unwrap();
    // 91 % used: the next call for this account waits, without calling.
    let e = ig.list_posts(a.r(), None).await.unwrap_err();
    assert_eq!(
        e.kind,
        K::RateLimited {
            until: Some(t0() + TimeDelta::minutes(10)),
            reach: socialsync_core::platform::LimitReach::Account
        }
    );
    // Another account is not slowed.
    let other = Account::new("17841400000000002", "OTHER-TOKEN");
    ig.list_posts(other.r(), None).await.unwrap();
}

#[tokio::test]
async fn a_throttling_code_pauses_the_account_until_the_regain_time() {
    let server = MockServer::start().await;
    let v: serde_json::Value = serde_json::from_str(&fixture_str(
        "instagram/headers_x_business_use_case_usage.json",
    ))
    .unwrap();
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(
            json(400, "instagram/error_rate_limit_user_17.json").insert_header(
                "x-business-use-case-usage",
                v["throttled"].to_string().as_str(),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let ig = adapter(&server);
    let until = t0() + TimeDelta::minutes(17);
    for _ in 0..2 {
        let e = ig.list_posts(account().r(), None).await.unwrap_err();
        assert_eq!(
            e.kind,
            K::RateLimited {
                until: Some(until),
                reach: socialsync_core::platform::LimitReach::Account
            }
        );
    }
}

#[tokio::test]
async fn refresh_only_once_the_token_is_a_day_old_and_never_once_expired() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/refresh_access_token"))
        .and(query_param("grant_type", "ig_refresh_token"))
        .and(query_param("access_token", TOKEN))
        .respond_with(json(200, "instagram/token_refresh_success.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let ig = adapter(&server);
    let mut a = account();
    // Issued 2 hours ago: too young, no call.
    a.credentials = a
        .credentials
        .clone()
        .issued(t0() - TimeDelta::hours(2))
        .expiring_at(t0() + TimeDelta::days(59));
    let e = ig.refresh_credentials(a.r()).await.unwrap_err();
    assert!(!matches!(e.kind, K::TokenInvalid(_)));
    assert_eq!(e.retry_after(), Some(t0() + TimeDelta::hours(22)));
    // Expired: can never be refreshed, no call.
    a.credentials.issued_at = Some(t0() - TimeDelta::days(61));
    a.credentials.expires_at = Some(t0() - TimeDelta::days(1));
    let e = ig.refresh_credentials(a.r()).await.unwrap_err();
    assert_eq!(e.kind, K::TokenInvalid(DisconnectReason::TokenExpired));
    // 30 days old: refreshed, 60 days from now.
    a.credentials.issued_at = Some(t0() - TimeDelta::days(30));
    a.credentials.expires_at = Some(t0() + TimeDelta::days(30));
    let fresh = ig.refresh_credentials(a.r()).await.unwrap();
    assert_eq!(fresh.access_token(), "IGAAFakeRefreshedToken0002aBc");
    assert_eq!(fresh.issued_at, Some(t0()));
    assert_eq!(fresh.expires_at, Some(t0() + TimeDelta::seconds(5_183_944)));
    assert!(fresh.refresh_token.is_none());
}

#[tokio::test]
async fn connecting_exchanges_code_then_short_for_long_lived_token_then_reads_the_user() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .and(FormHas("code", "AQBx-code"))
        .and(FormHas("grant_type", "authorization_code"))
        .and(FormHas("client_id", "awfakeclientkey01"))
        .and(FormHas("client_secret", "app-secret-SHHH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [{"access_token": "IGAA-SHORT", "user_id": 17841400000000001u64, "permissions": "instagram_business_basic,instagram_business_manage_insights"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/access_token"))
        .and(query_param("grant_type", "ig_exchange_token"))
        .and(query_param("access_token", "IGAA-SHORT"))
        .and(query_param("client_secret", "app-secret-SHHH"))
        .respond_with(json(
            200,
            "instagram/token_exchange_long_lived_success.json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me"))
        .and(header(
            "authorization",
            "Bearer IGAAFakeLongLivedToken0001xYz",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "9090909090", "user_id": "17841400000000001", "username": "ana.creates"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let ig = adapter(&server);
    let consent = ig.authorization_url("https://host.example/cb").unwrap();
    let q: std::collections::HashMap<_, _> = consent.url.query_pairs().into_owned().collect();
    assert_eq!(
        q["scope"],
        "instagram_business_basic,instagram_business_manage_insights"
    );
    assert_eq!(q["state"], consent.state);
    assert_eq!(q["response_type"], "code");
    let connected = ig
        .exchange_code(consent.code_exchange("AQBx-code#_"))
        .await
        .unwrap();
    assert_eq!(connected.account.id.as_str(), "17841400000000001");
    assert_eq!(connected.account.handle, "ana.creates");
    assert_eq!(
        connected.credentials.access_token(),
        "IGAAFakeLongLivedToken0001xYz"
    );
    assert_eq!(
        connected.credentials.expires_at,
        Some(t0() + TimeDelta::seconds(5_183_944))
    );
    assert_eq!(connected.credentials.granted_scopes.len(), 2);
}

#[tokio::test]
async fn malformed_json_is_an_invalid_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/18040000000000004/insights"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("{\"data\": [{\"name\":", "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let e = adapter(&server)
        .fetch_metrics(account().r(), &[req("18040000000000004", MediaKind::Image)])
        .await
        .unwrap_err();
    assert_eq!(e.kind, K::InvalidResponse);
}

#[tokio::test]
async fn app_usage_near_the_limit_pauses_every_connection_of_the_app() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(json(200, "instagram/media_list_empty.json").insert_header(
            "x-app-usage",
            r#"{"call_count":96,"total_time":25,"total_cputime":25}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let ig = adapter(&server);
    ig.list_posts(account().r(), None).await.unwrap();
    let other = Account::new("17841400000000002", "OTHER-TOKEN");
    let e = ig.list_posts(other.r(), None).await.unwrap_err();
    assert_eq!(
        e.kind,
        K::RateLimited {
            until: Some(t0() + TimeDelta::minutes(10)),
            reach: socialsync_core::platform::LimitReach::Platform
        }
    );
}

#[tokio::test]
async fn the_facebook_login_flavour_lists_the_ig_user_id_and_cannot_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/17841400000000001/media"))
        .respond_with(json(200, "instagram/media_list_last_page.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let ig = Instagram::builder()
        .with_flavor(socialsync_adapters::instagram::Flavor::FacebookLogin)
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .build()
        .unwrap();
    assert_eq!(
        ig.scopes(),
        socialsync_adapters::instagram::FACEBOOK_LOGIN_SCOPES
    );
    let page = ig.list_posts(account().r(), None).await.unwrap();
    assert_eq!(page.posts.len(), 2);
    let e = ig.refresh_credentials(account().r()).await.unwrap_err();
    assert!(!matches!(e.kind, K::TokenInvalid(_)));
}

#[tokio::test]
async fn the_account_read_gives_its_media_count() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me"))
        .and(query_param("fields", "user_id,username,media_count"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "user_id": "17841400000000001",
            "username": "ana.creates",
            "media_count": 42,
            "id": "26000000000000001"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let a = adapter(&server).get_account(account().r()).await.unwrap();
    assert_eq!(a.post_count, Some(42));
}

#[tokio::test]
async fn a_media_count_that_is_not_a_count_is_none() {
    for bad in [
        serde_json::json!(-3),
        serde_json::json!(2.5),
        serde_json::json!("many"),
        serde_json::json!(1_u64 << 60),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v25.0/me"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "user_id": "17841400000000001",
                "username": "ana.creates",
                "media_count": bad
            })))
            .mount(&server)
            .await;
        let a = adapter(&server).get_account(account().r()).await.unwrap();
        assert_eq!(a.post_count, None, "{bad}");
    }
}
