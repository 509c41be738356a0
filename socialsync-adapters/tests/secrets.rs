//! No token ever reaches a log line, an error or a `Debug` output — not
//! even the one in Instagram's `paging.next` URLs or in a refresh query.

mod common;

use common::{Account, CatchAll, app, clock, fast_retry, json};
use socialsync_adapters::instagram::Instagram;
use socialsync_adapters::tiktok::TikTok;
use socialsync_adapters::youtube::YouTube;
use socialsync_core::domain::MediaKind;
use socialsync_core::ids::PlatformPostId;
use socialsync_core::platform::{MetricsRequest, SocialPlatform};
use std::io::Write;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "IGAA-SECRET-ACCESS-TOKEN-777";
const REFRESH: &str = "rft.SECRET-REFRESH-TOKEN-888";
/// The token inside the fixture's `paging.next` URL.
const NEXT_URL_TOKEN: &str = "IGAAFakeLongLivedToken0001xYz";
const APP_SECRET: &str = "app-secret-SHHH";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in [TOKEN, REFRESH, NEXT_URL_TOKEN, APP_SECRET, "access_token="] {
        assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
    }
}

#[tokio::test]
async fn tokens_never_reach_logs_errors_or_debug_output() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(json(200, "instagram/media_list_page1_with_next.json"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me/media"))
        .respond_with(json(400, "instagram/error_token_expired_190_463.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/refresh_access_token"))
        .respond_with(json(500, "instagram/error_transient_2.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/1/insights"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"data\": [", "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("{{\"access_token\": 5, \"refresh_token\": \"{REFRESH}\"}}"),
            "application/json",
        ))
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;

    let ig = Instagram::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap();
    let mut a = Account::new("17841400000000001", TOKEN);
    a.credentials = a
        .credentials
        .clone()
        .issued(common::t0() - chrono::TimeDelta::days(3))
        .with_refresh_token(REFRESH);
    let mut shown = String::new();

    let page = ig.list_posts(a.r(), None).await.unwrap();
    shown += &format!("{page:?}");
    let next = page.next.clone().unwrap();
    let e = ig.list_posts(a.r(), Some(next)).await.unwrap_err();
    shown += &format!("{e} {e:?}");
    let e = ig.refresh_credentials(a.r()).await.unwrap_err();
    shown += &format!("{e} {e:?}");
    let req = [MetricsRequest {
        id: PlatformPostId::from("1"),
        kind: MediaKind::Image,
    }];
    let e = ig.fetch_metrics(a.r(), &req).await.unwrap_err();
    shown += &format!("{e} {e:?}");

    let tt = TikTok::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .build()
        .unwrap();
    let e = tt.refresh_credentials(a.r()).await.unwrap_err();
    shown += &format!("{e} {e:?} {tt:?} {ig:?}");

    // Nobody listens there: a transport error must not print the URL.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let yt = YouTube::builder()
        .with_base_url(format!("http://{closed}"))
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(socialsync_adapters::RetrySettings::none())
        .build()
        .unwrap();
    let e = yt.refresh_credentials(a.r()).await.unwrap_err();
    shown += &format!("{e} {e:?} {yt:?} {:?}", a.credentials);
    let e = yt.list_posts(a.r(), None).await.unwrap_err();
    shown += &format!("{e} {e:?}");
    // Instagram's refresh carries the token in its query: a transport
    // error there must not print the URL.
    let ig_closed = Instagram::builder()
        .with_base_url(format!("http://{closed}"))
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(socialsync_adapters::RetrySettings::none())
        .build()
        .unwrap();
    let e = ig_closed.refresh_credentials(a.r()).await.unwrap_err();
    assert_eq!(
        e.kind,
        socialsync_core::platform::PlatformErrorKind::Unavailable
    );
    shown += &format!("{e} {e:?}");

    assert_clean("errors and Debug", &shown);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("instagram"), "the adapters log: {logs}");
    assert_clean("logs", &logs);
}
