//! Hostile answers to YouTube's reads with the app's API key, and a
//! careless host's key.

mod common;

use common::{app, clock, fast_retry};
use socialsync_adapters::youtube::YouTube;
use socialsync_core::domain::MediaKind;
use socialsync_core::ids::PlatformPostId;
use socialsync_core::platform::{MetricsRequest, SocialPlatform};
use std::io::Write;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "AIzaSyHOSTILE-TEST-KEY-0123456789abc";

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

fn reqs(ids: &[&str]) -> Vec<MetricsRequest> {
    ids.iter()
        .map(|id| MetricsRequest {
            id: PlatformPostId::from(*id),
            kind: MediaKind::Video,
        })
        .collect()
}

/// A platform (or a proxy in front of it) that echoes the key it was sent
/// in its error message: the key must not reach the error the engine logs,
/// its `Debug`, or the adapter's own logs, as no token does.
#[tokio::test]
async fn an_echoed_api_key_never_reaches_errors_or_logs() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    let message = format!("API key not valid: {KEY}. Please pass a valid API key.");
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos:batchGetStats"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": {
                "code": 400,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": "badRequest"}],
                "status": "INVALID_ARGUMENT",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                             "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                             "metadata": {"key": KEY}}]
            }
        })))
        .mount(&server)
        .await;
    let yt = YouTube::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .with_api_key(KEY)
        .build()
        .unwrap();
    let e = yt
        .fetch_public_metrics(&reqs(&["dQw4w9WgXcQ"]))
        .await
        .unwrap_err();
    let shown = format!("{e} {e:?} {yt:?}");
    assert!(!shown.contains(KEY), "the error shows the key: {shown}");
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(!logs.contains(KEY), "the logs show the key: {logs}");
}

/// A host that reads the key from an unset environment variable passes an
/// empty string: no request with an empty key can succeed, so the adapter
/// must not claim public reads (the engine would send every due video to a
/// call that fails, every slot) — or must refuse to build.
#[tokio::test]
async fn an_empty_api_key_reads_nothing_publicly() {
    let server = MockServer::start().await;
    let built = YouTube::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .with_api_key("")
        .build();
    // A key that is empty or blank (an unset variable) is a configuration
    // error, not 50 public reads a call that always fail.
    let e = built
        .expect_err("an empty API key was accepted")
        .to_string();
    assert!(e.contains("api_key"), "{e}");
}

/// The same for every credential a request carries, on every adapter call:
/// a platform that echoes the bearer token (cut short by the detail's
/// length, too) or a form's client secret gets neither into the error.
#[tokio::test]
async fn an_echoed_token_or_client_secret_never_reaches_errors() {
    const TOKEN: &str = "ya29.ECHOED-ACCESS-TOKEN-0123456789";
    const SECRET: &str = "ECHOED-CLIENT-SECRET-42";
    let server = MockServer::start().await;
    let padding = "x".repeat(190);
    // The detail keeps 200 characters: this one ends inside the token.
    let message = format!("{padding} {TOKEN}");
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": {"code": 400, "message": message,
                      "errors": [{"message": message, "domain": "global", "reason": "badRequest"}]}
        })))
        .mount(&server)
        .await;
    let echo = format!("invalid_client: {SECRET}");
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            serde_json::json!({"error": "invalid_request", "error_description": echo}),
        ))
        .mount(&server)
        .await;
    let yt = YouTube::builder()
        .with_base_url(server.uri())
        .with_app_credentials(socialsync_adapters::AppCredentials::new("client", SECRET))
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap();
    let account = common::Account::new("UCchannel", TOKEN);
    let e = yt
        .fetch_metrics(account.r(), &reqs(&["dQw4w9WgXcQ"]))
        .await
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains(&TOKEN[..12]),
        "the error shows the token: {shown}"
    );
    let mut refresh = common::Account::new("UCchannel", TOKEN);
    refresh.credentials = refresh
        .credentials
        .with_refresh_token("1//REFRESH-SECRET-TOKEN");
    let e = yt.refresh_credentials(refresh.r()).await.unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains(SECRET),
        "the error shows the client secret: {shown}"
    );
}
