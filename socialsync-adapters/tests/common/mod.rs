//! Shared helpers of the adapter tests.
#![allow(dead_code, unreachable_pub)]

use socialsync_adapters::{AppCredentials, RetrySettings};
use socialsync_core::clock::{ManualClock, Timestamp};
use socialsync_core::credentials::Credentials;
use socialsync_core::ids::PlatformAccountId;
use socialsync_core::platform::AccountRef;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A fixture body.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A fixture body as a string.
pub fn fixture_str(path: &str) -> String {
    String::from_utf8(fixture(path)).expect("fixtures are UTF-8")
}

/// A JSON response from a fixture.
pub fn json(status: u16, path: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(path), "application/json; charset=UTF-8")
}

/// The instant the tests run at.
pub fn t0() -> Timestamp {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at(t0()))
}

pub fn app() -> AppCredentials {
    AppCredentials::new("awfakeclientkey01", "app-secret-SHHH")
}

/// Quick retries for tests.
pub fn fast_retry() -> RetrySettings {
    RetrySettings {
        max_retries: 2,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_retry_wait: Duration::from_secs(2),
    }
}

pub struct Account {
    pub id: PlatformAccountId,
    pub credentials: Credentials,
}

impl Account {
    pub fn new(id: &str, token: &str) -> Account {
        Account {
            id: PlatformAccountId::from(id),
            credentials: Credentials::new(token),
        }
    }
    pub fn r(&self) -> AccountRef<'_> {
        AccountRef {
            account_id: &self.id,
            credentials: &self.credentials,
        }
    }
}

struct Recorder(Arc<Mutex<Vec<String>>>);

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        // Method and path only: queries may carry tokens.
        let seen = format!("{} {}", request.method, request.url.path());
        self.0.lock().unwrap().push(seen.clone());
        ResponseTemplate::new(599).set_body_string(format!("unexpected request: {seen}"))
    }
}

/// A catch-all mounted last: any request no other mock matched fails the
/// test, naming it.
pub struct CatchAll(Arc<Mutex<Vec<String>>>);

impl CatchAll {
    pub async fn mount(server: &MockServer) -> CatchAll {
        let seen = Arc::new(Mutex::new(Vec::new()));
        Mock::given(wiremock::matchers::any())
            .respond_with(Recorder(seen.clone()))
            .with_priority(u8::MAX)
            .named("catch-all")
            .mount(server)
            .await;
        CatchAll(seen)
    }
}

impl Drop for CatchAll {
    fn drop(&mut self) {
        let seen = self.0.lock().unwrap();
        if !seen.is_empty() && !std::thread::panicking() {
            panic!("unexpected requests: {:?}", *seen);
        }
    }
}

/// A matcher for a request whose body form contains `key=value`.
pub struct FormHas(pub &'static str, pub &'static str);

impl wiremock::Match for FormHas {
    fn matches(&self, request: &Request) -> bool {
        url::form_urlencoded::parse(&request.body).any(|(k, v)| k == self.0 && v == self.1)
    }
}

/// A matcher on the number of comma-separated values of a query parameter.
pub struct QueryCount(pub &'static str, pub usize);

impl wiremock::Match for QueryCount {
    fn matches(&self, request: &Request) -> bool {
        request
            .url
            .query_pairs()
            .find(|(k, _)| k == self.0)
            .is_some_and(|(_, v)| v.split(',').count() == self.1)
    }
}
