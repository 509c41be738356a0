//! The connect flow every adapter shares, driven through `&dyn Connector`
//! against wiremock servers: the redirect URI and the PKCE verifier of the
//! consent request reach the code exchange; `Debug` never shows a code or
//! a verifier.

mod common;

use common::{CatchAll, app, clock, fast_retry, json};
use secrecy::{ExposeSecret, SecretString};
use socialsync_adapters::instagram::{Flavor, Instagram};
use socialsync_adapters::tiktok::TikTok;
use socialsync_adapters::youtube::YouTube;
use socialsync_adapters::{AuthorizationRequest, CodeExchange, ConnectedAccount, Connector};
use socialsync_core::platform::Platform;
use std::collections::HashMap;
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const REDIRECT: &str = "https://host.example/connect/callback";

/// A matcher on a request's form body: each key has exactly the value
/// given, or is absent where the value is `None`.
struct Form(Vec<(&'static str, Option<String>)>);

impl wiremock::Match for Form {
    fn matches(&self, request: &Request) -> bool {
        let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body)
            .into_owned()
            .collect();
        self.0
            .iter()
            .all(|(k, v)| form.get(*k).map(String::as_str) == v.as_deref())
    }
}

/// The consent query's parameters.
fn query(consent: &AuthorizationRequest) -> HashMap<String, String> {
    consent.url.query_pairs().into_owned().collect()
}

/// The verifier the consent request made, if any.
fn verifier(consent: &AuthorizationRequest) -> Option<String> {
    consent
        .pkce_verifier
        .as_ref()
        .map(|v| v.expose_secret().to_owned())
}

/// The consent request for `connector`, checked: it names the redirect URI
/// and the request keeps it.
fn consent(connector: &dyn Connector, platform: Platform) -> AuthorizationRequest {
    assert_eq!(connector.platform(), platform);
    let consent = connector.authorization_url(REDIRECT).unwrap();
    assert_eq!(query(&consent)["redirect_uri"], REDIRECT);
    assert_eq!(query(&consent)["state"], consent.state);
    assert_eq!(consent.redirect_uri, REDIRECT);
    consent
}

/// The exchange of `code` for the consent, through the trait object.
async fn finish(
    connector: &dyn Connector,
    consent: &AuthorizationRequest,
    code: &str,
) -> ConnectedAccount {
    connector
        .exchange_code(consent.code_exchange(code))
        .await
        .unwrap()
}

#[tokio::test]
async fn instagram_connects_through_the_trait_with_the_consents_redirect() {
    let server = MockServer::start().await;
    let ig = Instagram::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap();
    let connector: &dyn Connector = &ig;
    let consent = consent(connector, Platform::Instagram);
    assert!(consent.pkce_verifier.is_none(), "Instagram asks no PKCE");
    assert_eq!(
        consent.url.as_str().split('?').next().unwrap(),
        format!("{}/oauth/authorize", server.uri())
    );
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .and(Form(vec![
            ("code", Some("AQBx-code".into())),
            ("redirect_uri", Some(REDIRECT.into())),
            ("code_verifier", None),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "IGAA-SHORT", "user_id": 17841400000000001u64,
            "permissions": "instagram_business_basic,instagram_business_manage_insights"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/access_token"))
        .respond_with(json(
            200,
            "instagram/token_exchange_long_lived_success.json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "user_id": "17841400000000001", "username": "ana.creates"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let connected = finish(connector, &consent, "AQBx-code#_").await;
    assert_eq!(connected.platform, Platform::Instagram);
    assert_eq!(connected.account.id.as_str(), "17841400000000001");
    assert_eq!(connected.account.handle, "ana.creates");
}

#[tokio::test]
async fn tiktok_connects_through_the_trait_with_the_consents_redirect_and_verifier() {
    let server = MockServer::start().await;
    let tt = TikTok::builder()
        .with_base_url(server.uri())
        .with_pkce(true)
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap();
    let connector: &dyn Connector = &tt;
    let consent = consent(connector, Platform::TikTok);
    assert_eq!(
        consent.url.as_str().split('?').next().unwrap(),
        format!("{}/v2/auth/authorize/", server.uri())
    );
    let verifier = verifier(&consent).expect("PKCE asked: a verifier is kept");
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .and(Form(vec![
            ("code", Some("the-code".into())),
            ("redirect_uri", Some(REDIRECT.into())),
            ("code_verifier", Some(verifier)),
        ]))
        .respond_with(json(200, "tiktok/oauth_token_exchange_success.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(json(200, "tiktok/user_info_success.json"))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let connected = finish(connector, &consent, "the-code").await;
    assert_eq!(connected.platform, Platform::TikTok);
    assert_eq!(
        connected.account.id.as_str(),
        "-000AbCdEfGhIjKlMnOpQrStUvWxYz0123"
    );
}

#[tokio::test]
async fn youtube_connects_through_the_trait_with_the_consents_redirect_and_verifier() {
    let server = MockServer::start().await;
    let yt = YouTube::builder()
        .with_base_url(server.uri())
        .with_app_credentials(app())
        .with_clock(clock())
        .with_retry(fast_retry())
        .build()
        .unwrap();
    let connector: &dyn Connector = &yt;
    let consent = consent(connector, Platform::YouTube);
    assert_eq!(
        consent.url.as_str().split('?').next().unwrap(),
        format!("{}/o/oauth2/v2/auth", server.uri())
    );
    let verifier = verifier(&consent).expect("Google asks PKCE: a verifier is kept");
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(Form(vec![
            ("code", Some("4/0code".into())),
            ("redirect_uri", Some(REDIRECT.into())),
            ("code_verifier", Some(verifier)),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "ya29.NEW", "expires_in": 3599, "refresh_token": "1//new-refresh",
            "scope": "https://www.googleapis.com/auth/youtube.readonly", "token_type": "Bearer"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/channels"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "items": [{"id": "UCa1b2c3d4e5f6g7h8i9j0kA", "snippet": {"title": "Ana Creates"},
                       "contentDetails": {"relatedPlaylists": {"uploads": "UUa1b2c3d4e5f6g7h8i9j0kA"}}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let _catch = CatchAll::mount(&server).await;
    let connected = finish(connector, &consent, "4/0code").await;
    assert_eq!(connected.platform, Platform::YouTube);
    assert_eq!(connected.account.id.as_str(), "UCa1b2c3d4e5f6g7h8i9j0kA");
}

#[tokio::test]
async fn one_map_of_connectors_serves_every_platform() {
    let base = "http://127.0.0.1:9";
    let connectors: Vec<Arc<dyn Connector>> = vec![
        Arc::new(
            Instagram::builder()
                .with_base_url(base)
                .with_app_credentials(app())
                .build()
                .unwrap(),
        ),
        Arc::new(
            TikTok::builder()
                .with_base_url(base)
                .with_app_credentials(app())
                .build()
                .unwrap(),
        ),
        Arc::new(
            YouTube::builder()
                .with_base_url(base)
                .with_app_credentials(app())
                .build()
                .unwrap(),
        ),
    ];
    let by_platform: HashMap<Platform, Arc<dyn Connector>> =
        connectors.into_iter().map(|c| (c.platform(), c)).collect();
    for platform in [Platform::Instagram, Platform::TikTok, Platform::YouTube] {
        let consent = by_platform[&platform].authorization_url(REDIRECT).unwrap();
        assert!(consent.url.as_str().starts_with(base), "{platform}");
    }
    // A connector is the platform the engine reads too.
    let reader: Arc<dyn socialsync_core::platform::SocialPlatform> =
        by_platform[&Platform::TikTok].clone();
    assert_eq!(reader.platform(), Platform::TikTok);
}

#[test]
fn the_code_and_the_verifier_never_show_in_debug() {
    let exchange = CodeExchange::new("CODE-SECRET-123", REDIRECT)
        .with_pkce_verifier(Some(SecretString::from("VERIFIER-SECRET-456".to_owned())));
    let shown = format!("{exchange:?} {exchange:#?}");
    assert!(!shown.contains("CODE-SECRET-123"), "{shown}");
    assert!(!shown.contains("VERIFIER-SECRET-456"), "{shown}");
    assert!(shown.contains(REDIRECT), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");

    let tt = TikTok::builder()
        .with_pkce(true)
        .with_app_credentials(app())
        .build()
        .unwrap();
    let consent = tt.authorization_url(REDIRECT).unwrap();
    let secret = verifier(&consent).unwrap();
    let exchange = consent.code_exchange("CODE-SECRET-789");
    assert_eq!(verifier(&consent).as_deref(), Some(secret.as_str()));
    assert_eq!(
        exchange.pkce_verifier.as_ref().unwrap().expose_secret(),
        secret
    );
    let shown = format!("{consent:?} {exchange:?} {exchange:#?}");
    assert!(!shown.contains(&secret), "{shown}");
    assert!(!shown.contains("CODE-SECRET-789"), "{shown}");
}

#[test]
fn every_builder_points_every_endpoint_at_one_base_or_at_the_platform() {
    fn page(c: &dyn Connector) -> String {
        let consent = c.authorization_url(REDIRECT).unwrap();
        consent.url.as_str().split('?').next().unwrap().to_owned()
    }
    let base = "http://127.0.0.1:9/proxy/";
    let ig = |b: socialsync_adapters::instagram::InstagramBuilder| {
        b.with_app_credentials(app()).build().unwrap()
    };
    assert_eq!(
        page(&ig(Instagram::builder())),
        "https://api.instagram.com/oauth/authorize"
    );
    assert_eq!(
        page(&ig(Instagram::builder().with_flavor(Flavor::FacebookLogin))),
        "https://www.facebook.com/v25.0/dialog/oauth"
    );
    // The flavour's layout under the base, whichever call comes first.
    assert_eq!(
        page(&ig(Instagram::builder()
            .with_base_url(base)
            .with_flavor(Flavor::FacebookLogin))),
        "http://127.0.0.1:9/proxy/v25.0/dialog/oauth"
    );
    assert_eq!(
        page(&ig(Instagram::builder()
            .with_authorize_url("https://login.example/ig")
            .with_base_url(base))),
        "https://login.example/ig"
    );
    let tt = |b: socialsync_adapters::tiktok::TikTokBuilder| {
        b.with_app_credentials(app()).build().unwrap()
    };
    assert_eq!(
        page(&tt(TikTok::builder())),
        "https://www.tiktok.com/v2/auth/authorize/"
    );
    assert_eq!(
        page(&tt(TikTok::builder().with_base_url(base))),
        "http://127.0.0.1:9/proxy/v2/auth/authorize/"
    );
    let yt = |b: socialsync_adapters::youtube::YouTubeBuilder| {
        b.with_app_credentials(app()).build().unwrap()
    };
    assert_eq!(
        page(&yt(YouTube::builder())),
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(
        page(&yt(YouTube::builder().with_base_url(base))),
        "http://127.0.0.1:9/proxy/o/oauth2/v2/auth"
    );
    // A base URL with a query is refused, as every URL setting is.
    assert!(
        TikTok::builder()
            .with_base_url("http://127.0.0.1:9/?x=1")
            .with_app_credentials(app())
            .build()
            .is_err()
    );
}

#[test]
fn a_url_setting_that_could_leak_or_mislead_is_refused_without_being_repeated() {
    let tt = |url: &str| {
        TikTok::builder()
            .with_base_url(url)
            .with_app_credentials(app())
            .build()
    };
    for (url, why) in [
        (
            "https://user:hunter2@h.example/api",
            "user name or password",
        ),
        ("https://user@h.example/api", "user name or password"),
        ("https://h.example/api#frag", "fragment"),
        ("https://h.example/api?x=1", "query"),
        ("ftp://h.example/api", "scheme"),
        ("not a url", ""),
    ] {
        let e = tt(url).expect_err(url).to_string();
        assert!(e.contains(why), "{url}: {e}");
        assert!(
            !e.contains("hunter2") && !e.contains(url),
            "{url} repeated: {e}"
        );
    }
    let youtube = YouTube::builder()
        .with_authorize_url("https://a:b@login.example/auth")
        .with_app_credentials(app())
        .build();
    assert!(youtube.is_err(), "a consent URL with credentials");
    let instagram = Instagram::builder()
        .with_token_url("https://login.example/token#x")
        .with_app_credentials(app())
        .build();
    assert!(instagram.is_err(), "a token URL with a fragment");
}

#[test]
fn a_url_setting_is_used_as_parsed_trimmed_and_without_a_trailing_slash() {
    fn page(c: &dyn Connector) -> String {
        let consent = c.authorization_url(REDIRECT).unwrap();
        consent.url.as_str().split('?').next().unwrap().to_owned()
    }
    let tt = TikTok::builder()
        .with_base_url("  http://127.0.0.1:9/api/  ")
        .with_app_credentials(app())
        .build()
        .unwrap();
    assert_eq!(page(&tt), "http://127.0.0.1:9/api/v2/auth/authorize/");
    let yt = YouTube::builder()
        .with_authorize_url(" https://login.example/auth ")
        .with_app_credentials(app())
        .build()
        .unwrap();
    assert_eq!(page(&yt), "https://login.example/auth");
}
