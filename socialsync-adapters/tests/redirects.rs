//! ARCHITECTURE.md §9: the HTTP client follows no redirect and sends no
//! `Referer`. A platform host that answers 30x pointing at another host must
//! not make the adapter re-send a token or the client secret there: the call
//! fails with a classified error and the other host hears nothing.

mod common;

use common::{Account, app, clock, fast_retry};
use socialsync_adapters::instagram::Instagram;
use socialsync_adapters::tiktok::TikTok;
use socialsync_adapters::youtube::YouTube;
use socialsync_adapters::{CodeExchange, ConnectError, Connector, RetrySettings};
use socialsync_core::platform::{PlatformError, PlatformErrorKind, SocialPlatform};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "IGAA-REDIRECTED-TOKEN-1";
const REFRESH: &str = "rft.REDIRECTED-REFRESH-2";

/// The platform host, redirecting everything with `status` to `elsewhere`
/// (which answers every request with a success, should one arrive).
async fn redirecting(status: u16, elsewhere: &MockServer) -> MockServer {
    let platform = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("location", format!("{}/collect", elsewhere.uri())),
        )
        .mount(&platform)
        .await;
    platform
}

async fn recording() -> MockServer {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"access_token":"x","refresh_token":"y","expires_in":3600,"data":{},"items":[]}"#,
            "application/json",
        ))
        .mount(&elsewhere)
        .await;
    elsewhere
}

fn refused(what: &str, e: &PlatformError) {
    assert_eq!(e.kind, PlatformErrorKind::InvalidResponse, "{what}: {e}");
    let detail = e.detail.as_deref().unwrap_or_default();
    assert!(detail.contains("redirect"), "{what}: {e}");
}

fn refused_connect(what: &str, e: &ConnectError) {
    match e {
        ConnectError::Platform(p) => refused(what, p),
        other => panic!("{what}: expected the platform's refusal, got {other:?}"),
    }
}

fn account() -> Account {
    let mut a = Account::new("acct-1", TOKEN);
    a.credentials = a
        .credentials
        .clone()
        .issued(common::t0() - chrono::TimeDelta::days(3))
        .with_refresh_token(REFRESH);
    a
}

#[tokio::test]
async fn no_call_follows_a_redirect_to_another_host() {
    for status in [301, 302, 303, 307, 308] {
        let elsewhere = recording().await;
        let platform = redirecting(status, &elsewhere).await;
        let base = platform.uri();
        let a = account();

        let ig = Instagram::builder()
            .with_base_url(base.clone())
            .with_app_credentials(app())
            .with_clock(clock())
            .with_retry(fast_retry())
            .build()
            .unwrap();
        refused(
            "instagram refresh",
            &ig.refresh_credentials(a.r()).await.unwrap_err(),
        );
        refused(
            "instagram list",
            &ig.list_posts(a.r(), None).await.unwrap_err(),
        );
        refused_connect(
            "instagram code",
            &ig.exchange_code(CodeExchange::new("code-1", "https://app.example/cb"))
                .await
                .unwrap_err(),
        );

        let tt = TikTok::builder()
            .with_base_url(base.clone())
            .with_app_credentials(app())
            .with_clock(clock())
            .with_retry(fast_retry())
            .build()
            .unwrap();
        refused(
            "tiktok refresh",
            &tt.refresh_credentials(a.r()).await.unwrap_err(),
        );
        refused(
            "tiktok list",
            &tt.list_posts(a.r(), None).await.unwrap_err(),
        );
        refused_connect(
            "tiktok code",
            &tt.exchange_code(CodeExchange::new("code-1", "https://app.example/cb"))
                .await
                .unwrap_err(),
        );

        let yt = YouTube::builder()
            .with_base_url(base.clone())
            .with_app_credentials(app())
            .with_clock(clock())
            .with_retry(fast_retry())
            .build()
            .unwrap();
        refused(
            "youtube refresh",
            &yt.refresh_credentials(a.r()).await.unwrap_err(),
        );
        refused(
            "youtube list",
            &yt.list_posts(a.r(), None).await.unwrap_err(),
        );
        refused_connect(
            "youtube code",
            &yt.exchange_code(CodeExchange::new("code-1", "https://app.example/cb"))
                .await
                .unwrap_err(),
        );

        let heard = elsewhere.received_requests().await.unwrap();
        assert!(
            heard.is_empty(),
            "HTTP {status}: the other host received {} request(s), first {} {}",
            heard.len(),
            heard[0].method,
            heard[0].url.path()
        );
        // Every call reached the platform host once: a redirect is not
        // retried.
        assert_eq!(platform.received_requests().await.unwrap().len(), 9);
    }
}

#[tokio::test]
async fn a_host_client_config_cannot_turn_redirects_or_referer_back_on() {
    let elsewhere = recording().await;
    let platform = redirecting(307, &elsewhere).await;
    let tt = TikTok::builder()
        .with_base_url(platform.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(RetrySettings::none())
        .with_client_config(|b| {
            b.redirect(reqwest::redirect::Policy::limited(10))
                .referer(true)
        })
        .build()
        .unwrap();
    let a = account();
    refused(
        "tiktok refresh",
        &tt.refresh_credentials(a.r()).await.unwrap_err(),
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    for r in platform.received_requests().await.unwrap() {
        assert!(!r.headers.contains_key("referer"), "{:?}", r.headers);
    }
}
