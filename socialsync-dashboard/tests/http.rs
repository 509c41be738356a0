//! Every route over HTTP (tower's `oneshot`), with the dashboard mounted
//! under a prefix: status codes, brand isolation, reset effects, exports.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use futures::StreamExt;
use socialsync_core::clock::Clock;
use socialsync_core::domain::{PostState, StatusKind};
use socialsync_core::events::{ConnectionChange, Event};
use socialsync_core::ids::{BrandId, EventId};
use socialsync_core::metrics::Metric;
use socialsync_core::platform::Platform;
use socialsync_core::platform::PlatformErrorKind;
use socialsync_core::report::BucketSize;
use socialsync_core::report::{ReportRange, analytics_report, scope_report};
use socialsync_core::store::PostFilter;
use socialsync_testkit::Op;
use std::time::Duration;
use tower::ServiceExt;

const PAGES: [&str; 8] = [
    "",
    "/monitor",
    "/active",
    "/disabled",
    "/reports",
    "/reports/all",
    "/reports/all/csv",
    "/reports/all/json",
];

#[tokio::test]
async fn a_request_without_a_brand_is_refused_401_and_an_unknown_brand_403() {
    let w = World::new().await;
    let campaign = format!("/reports/{}", w.campaign.id.get());
    let reset = format!("/disabled/{}/reset", w.ana_tiktok.id.get());
    let mut paths: Vec<&str> = PAGES.to_vec();
    paths.extend([campaign.as_str(), reset.as_str(), "/events"]);
    for path in &paths {
        let a = w.get(path, None).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(!a.body.contains("Ana"), "{path} leaks data to nobody");
        assert_eq!(
            w.get(path, Some(BrandId(999))).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        let bad = w
            .send(
                Request::get(format!("{PREFIX}{path}")).header(BRAND_HEADER, "acme"),
                None,
                Body::empty(),
            )
            .await;
        assert_eq!(bad.status, StatusCode::FORBIDDEN, "{path}");
    }
    let post = w.post_reset(w.ana_tiktok.id.get(), None, "", &[]).await;
    assert_eq!(post.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_dashboard_built_without_a_resolver_lets_nobody_in() {
    let w = World::with(|b| b).await;
    let bare = socialsync_dashboard::Dashboard::builder(w.sim.engine.clone()).build();
    let r = bare
        .router()
        .oneshot(
            Request::get("/monitor")
                .header(BRAND_HEADER, "1")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_page_answers_under_the_prefix_and_links_only_inside_it() {
    let w = World::new().await;
    w.sim.cycle().await;
    let campaign = format!("/reports/{}", w.campaign.id.get());
    let mut pages: Vec<&str> = PAGES[..6].to_vec();
    pages.push(&campaign);
    for path in pages {
        let a = w.get(path, Some(w.acme)).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
        assert!(a.header("content-type").starts_with("text/html"), "{path}");
        assert!(a.body.starts_with("<!DOCTYPE html>"), "{path}");
        for attr in [
            "href",
            "src",
            "action",
            "data-stream",
            "data-fragment",
            "data-refresh-stream",
        ] {
            for url in attributes(&a.body, attr) {
                let external = url.starts_with("https://fake.example/");
                assert!(
                    url.starts_with(PREFIX) || external,
                    "{path}: {attr}={url} escapes the prefix"
                );
                if !external && attr != "action" {
                    let inner = url.strip_prefix(PREFIX).unwrap().replace("&amp;", "&");
                    if inner.starts_with("/events") {
                        continue; // an endless stream: tested below
                    }
                    let linked = w.get(&inner, Some(w.acme)).await;
                    assert_eq!(linked.status, StatusCode::OK, "{path} links to {url}");
                }
            }
        }
        // Tabs: one tablist, four tabs, exactly one selected, one panel.
        assert_eq!(a.body.matches("role=\"tablist\"").count(), 1, "{path}");
        assert_eq!(a.body.matches("role=\"tab\"").count(), 4, "{path}");
        assert_eq!(
            a.body.matches("aria-selected=\"true\"").count(),
            1,
            "{path}"
        );
        assert_eq!(a.body.matches("role=\"tabpanel\"").count(), 1, "{path}");
        // No external assets.
        assert!(!a.body.contains("<script>"), "{path}: inline script");
        assert!(!a.body.contains("//cdn"), "{path}");
    }
    let css = w.get("/assets/dashboard.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.body.contains("@keyframes fade-highlight"));
    let js = w.get("/assets/dashboard.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header("content-type").starts_with("text/javascript"));
    assert!(js.body.contains("EventSource"));
    assert_eq!(
        w.get("/nothing-here", Some(w.acme)).await.status,
        StatusCode::NOT_FOUND
    );
    // `<prefix>/` redirects to the dashboard.
    let slash = w.get("/", Some(w.acme)).await;
    assert_eq!(slash.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(slash.header("location"), PREFIX);
}

#[tokio::test]
async fn the_router_also_serves_at_the_root() {
    let w = World::new().await;
    let root = w.dashboard.mount(axum::Router::new(), "/");
    for path in ["/", "/monitor", "/reports"] {
        let r = root
            .clone()
            .oneshot(
                Request::get(path)
                    .header(BRAND_HEADER, w.acme.get().to_string())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let body = http_body_util::BodyExt::collect(r.into_body())
            .await
            .unwrap()
            .to_bytes();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains("href=\"/active\""), "{path}");
    }
}

#[tokio::test]
async fn an_explicit_base_path_wins_over_the_routed_prefix() {
    let w = World::with(|b| b.with_base_path("/behind/proxy/")).await;
    let a = w.get("/active", Some(w.acme)).await;
    assert_eq!(a.status, StatusCode::OK);
    for url in attributes(&a.body, "href") {
        assert!(url.starts_with("/behind/proxy/"), "{url}");
    }
}

#[tokio::test]
async fn answers_carry_a_strict_content_security_policy() {
    let w = World::new().await;
    for path in ["/monitor", "/nothing-here"] {
        let a = w.get(path, Some(w.acme)).await;
        let csp = a.header("content-security-policy");
        assert!(
            csp.contains("default-src 'self'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert_eq!(a.header("x-content-type-options"), "nosniff");
    }
}

#[tokio::test]
async fn the_monitor_shows_the_brands_scans_newest_first_with_old_and_new_values() {
    let w = World::new().await;
    w.sim.cycle().await; // first readings: changed from absent
    w.sim
        .fake(Platform::TikTok)
        .set_metrics("tt-post-1", t0() + h(1), views(25));
    w.step(1).await; // tt-post-1 changed, the others unchanged
    let a = w.get("/monitor", Some(w.acme)).await;
    assert_eq!(a.status, StatusCode::OK);
    let body = &a.body;
    assert!(body.contains("tt-post-1") && body.contains("ig-post-1"));
    assert!(
        !body.contains("yt-post-1") && !body.contains("Cy"),
        "another brand's scans leak"
    );
    assert!(body.contains("views 10 → 25"), "{body}");
    assert!(body.contains("likes 1 → 2"));
    assert!(body.contains("views — → 100"), "first reading from absent");
    // Newest first: event ids in the rows decrease.
    let ids: Vec<i64> = attributes(body, "id")
        .iter()
        .filter_map(|id| id.strip_prefix("ev-"))
        .map(|id| id.parse().unwrap())
        .collect();
    assert!(ids.len() >= 4, "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    // The changed row is marked in words, the unchanged one is not marked.
    let changed = row_of(body, "tt-post-1", "changed");
    assert!(
        changed.contains("class=\"scan changed\"")
            && changed.contains("▲")
            && changed.contains("Changed")
    );
    let unchanged = row_of(body, "ig-post-1", "unchanged");
    assert!(
        unchanged.contains("class=\"scan\"") && unchanged.contains("Unchanged"),
        "{unchanged}"
    );
    // The stream resumes after the newest event in the store.
    let last = w
        .store
        .list_events(None, 10_000)
        .await
        .unwrap()
        .last()
        .unwrap()
        .id;
    assert!(body.contains(&format!(
        "data-stream=\"{PREFIX}/events?after={}\"",
        last.get()
    )));
    // The other brand sees its own scan only.
    let other = w.get("/monitor", Some(w.other)).await;
    assert!(other.body.contains("yt-post-1") && !other.body.contains("tt-post-1"));
}

/// The `<tr>` of the monitor row of `post` with `data-outcome`.
fn row_of<'a>(body: &'a str, post: &str, outcome: &str) -> &'a str {
    body.split("<tr ")
        .find(|r| r.contains(post) && r.contains(&format!("data-outcome=\"{outcome}\"")))
        .unwrap_or_else(|| panic!("no {outcome} row of {post}"))
}

#[tokio::test]
async fn the_monitor_keeps_a_bounded_number_of_rows() {
    let w = World::with(|b| b.with_monitor_rows(3)).await;
    w.sim.run(h(1), 4).await;
    let visible = w
        .store
        .list_events(None, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.visible_to(w.acme))
        .count();
    assert!(visible > 3);
    let body = w.get("/monitor", Some(w.acme)).await.body;
    assert_eq!(body.matches(" id=\"ev-").count(), 3);
    assert!(body.contains("data-max=\"3\""));
}

#[tokio::test]
async fn names_and_handles_are_escaped_everywhere() {
    let w = World::new().await;
    let evil = w
        .tracking
        .create_creator("<script>alert(1)</script>", None)
        .await
        .unwrap()
        .id;
    w.store
        .update_scope(
            w.acme,
            w.program.id,
            socialsync_core::store::ScopeChange::AddMembers(vec![evil]),
        )
        .await
        .unwrap();
    w.sim.connect(evil, Platform::YouTube, "yt-\"evil\"").await;
    w.sim.cycle().await;
    for path in ["/monitor", "/active"] {
        let body = w.get(path, Some(w.acme)).await.body;
        assert!(!body.contains("<script>alert"), "{path}");
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}"
        );
    }
}

/// One server-sent event.
#[derive(Debug)]
struct Sse {
    id: Option<i64>,
    event: String,
    data: String,
}

/// Reads `n` events (comments skipped) from a stream answer, or fails after 5 s.
async fn read_events(body: Body, n: usize) -> Vec<Sse> {
    let mut stream = body.into_data_stream();
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while out.len() < n {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events arrived: {out:?}", out.len()))
            .expect("stream ended")
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut e = Sse {
                id: None,
                event: "message".into(),
                data: String::new(),
            };
            let mut comment = true;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    e.id = Some(v.trim().parse().unwrap());
                    comment = false;
                } else if let Some(v) = line.strip_prefix("event:") {
                    e.event = v.trim().to_owned();
                    comment = false;
                } else if let Some(v) = line.strip_prefix("data:") {
                    e.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    comment = false;
                }
            }
            if !comment {
                out.push(e);
            }
        }
    }
    out
}

async fn open_stream(
    w: &World,
    query: &str,
    last_event_id: Option<&str>,
    brand: BrandId,
) -> axum::response::Response {
    let mut r = Request::get(format!("{PREFIX}/events{query}"))
        .header(BRAND_HEADER, brand.get().to_string());
    if let Some(id) = last_event_id {
        r = r.header("last-event-id", id);
    }
    w.app
        .clone()
        .oneshot(r.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

fn visible_ids(events: &[socialsync_core::events::StoredEvent], brand: BrandId) -> Vec<i64> {
    events
        .iter()
        .filter(|e| e.event.visible_to(brand))
        .map(|e| e.id.get())
        .collect()
}

#[tokio::test]
async fn the_event_stream_sends_the_brands_events_as_rows_with_event_ids() {
    let w = World::new().await;
    w.sim.cycle().await;
    let all = w.store.list_events(None, 10_000).await.unwrap();
    let expected = visible_ids(&all, w.acme);
    assert!(expected.len() < all.len(), "the other brand has events too");
    let r = open_stream(&w, "?after=0", None, w.acme).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let got = read_events(r.into_body(), expected.len()).await;
    assert_eq!(
        got.iter().map(|e| e.id.unwrap()).collect::<Vec<_>>(),
        expected
    );
    for (e, stored) in got
        .iter()
        .zip(all.iter().filter(|e| e.event.visible_to(w.acme)))
    {
        let kind = match &stored.event {
            Event::Scan(_) => "scan",
            Event::Connection(_) => "connection",
            other => panic!("an event this test does not publish: {other:?}"),
        };
        assert_eq!(e.event, kind);
        assert!(e.data.starts_with("<tr "), "{}", e.data);
        assert!(
            e.data.contains(&format!(" id=\"ev-{}\"", stored.id.get())),
            "{}",
            e.data
        );
        assert!(!e.data.contains("yt-post-1") && !e.data.contains("Cy"));
    }
}

#[tokio::test]
async fn a_reconnecting_browser_resumes_after_its_last_event_id() {
    let w = World::new().await;
    w.sim.cycle().await;
    let all = w.store.list_events(None, 10_000).await.unwrap();
    let ids = visible_ids(&all, w.acme);
    let seen = ids[1];
    // The header wins over the page's `after`.
    let r = open_stream(&w, "?after=0", Some(&seen.to_string()), w.acme).await;
    let got = read_events(r.into_body(), ids.len() - 2).await;
    assert_eq!(
        got.iter().map(|e| e.id.unwrap()).collect::<Vec<_>>(),
        ids[2..]
    );
    // Then live events follow without a gap.
    let r = open_stream(&w, "", Some(&ids.last().unwrap().to_string()), w.acme).await;
    w.sim
        .fake(Platform::TikTok)
        .set_metrics("tt-post-1", t0() + h(1), views(30));
    w.step(1).await;
    let after = w
        .store
        .list_events(Some(EventId(*ids.last().unwrap())), 10_000)
        .await
        .unwrap();
    let next = visible_ids(&after, w.acme);
    let got = read_events(r.into_body(), next.len()).await;
    assert_eq!(got.iter().map(|e| e.id.unwrap()).collect::<Vec<_>>(), next);
    assert!(got.iter().any(|e| e.data.contains("views 10 → 30")));
    // A malformed id is refused.
    let bad = open_stream(&w, "", Some("event-7"), w.acme).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad = open_stream(&w, "?only=scan", None, w.acme).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn several_open_streams_each_get_every_live_event() {
    let w = World::new().await;
    w.sim.cycle().await;
    let a = open_stream(&w, "", None, w.acme).await;
    let b = open_stream(&w, "", None, w.acme).await;
    let o = open_stream(&w, "", None, w.other).await;
    let before = w
        .store
        .list_events(None, 10_000)
        .await
        .unwrap()
        .last()
        .unwrap()
        .id;
    w.sim
        .fake(Platform::TikTok)
        .set_metrics("tt-post-1", t0() + h(1), views(40));
    w.sim
        .fake(Platform::YouTube)
        .set_metrics("yt-post-1", t0() + h(1), views(2000));
    w.step(1).await;
    let new = w.store.list_events(Some(before), 10_000).await.unwrap();
    let acme_ids = visible_ids(&new, w.acme);
    let other_ids = visible_ids(&new, w.other);
    let (ga, gb, go) = tokio::join!(
        read_events(a.into_body(), acme_ids.len()),
        read_events(b.into_body(), acme_ids.len()),
        read_events(o.into_body(), other_ids.len()),
    );
    for got in [&ga, &gb] {
        assert_eq!(
            got.iter().map(|e| e.id.unwrap()).collect::<Vec<_>>(),
            acme_ids
        );
    }
    assert_eq!(
        go.iter().map(|e| e.id.unwrap()).collect::<Vec<_>>(),
        other_ids
    );
    assert!(
        go.iter()
            .any(|e| e.data.contains("views 1\u{202f}000 → 2\u{202f}000")),
        "{go:?}"
    );
}

#[tokio::test]
async fn the_connection_stream_carries_only_connection_events() {
    let w = World::new().await;
    w.sim.cycle().await;
    let r = open_stream(&w, "?only=connection", None, w.acme).await;
    w.step(1).await; // scans only
    w.sim.fake(Platform::TikTok).revoke("tt-ana");
    w.step(1).await; // a disconnection
    let got = read_events(r.into_body(), 1).await;
    assert_eq!(got[0].event, "connection");
    assert!(
        got[0].data.contains("Disconnected: authorization revoked"),
        "{}",
        got[0].data
    );
}

#[tokio::test]
async fn the_active_tab_lists_the_brands_active_connections_with_health() {
    let w = World::new().await;
    w.sim.cycle().await;
    let a = w.get("/active", Some(w.acme)).await;
    assert_eq!(a.status, StatusCode::OK);
    let body = &a.body;
    assert!(body.contains("@tt-ana") && body.contains("@ig-bo"));
    assert!(!body.contains("@yt-cy"), "another brand's creator");
    let ana = conn_row(body, w.ana_tiktok.id.get());
    assert!(ana.contains("Ana") && ana.contains("tiktok"));
    assert!(
        ana.contains("2026-03-01 00:00:00 UTC"),
        "connected since / last scan: {ana}"
    );
    assert!(ana.contains("<td>1</td>"), "one post monitored: {ana}");
    assert!(ana.contains("Healthy"));
    assert!(
        !body.contains("/reset"),
        "no reset is offered for an active connection"
    );
    // Failures are counted; an overdue post is named.
    w.sim.fake(Platform::TikTok).fail(
        Op::FetchMetrics,
        Some("tt-ana"),
        PlatformErrorKind::Unavailable,
        100,
    );
    w.step(1).await;
    w.step(1).await;
    let failures = w
        .store
        .get_connection(w.ana_tiktok.id)
        .await
        .unwrap()
        .unwrap()
        .health
        .consecutive_failures;
    assert!(failures > 0);
    let body = w.get("/active", Some(w.acme)).await.body;
    let ana = conn_row(&body, w.ana_tiktok.id.get());
    let said = format!(
        "{failures} consecutive failure{}",
        if failures == 1 { "" } else { "s" }
    );
    assert!(ana.contains(&said), "{said}: {ana}");
    assert!(
        ana.contains("platform unavailable"),
        "the last error: {ana}"
    );
    assert!(
        ana.contains("Oldest overdue post due <time datetime=\"2026-03-01T01:00:00+00:00\">"),
        "{ana}"
    );
    assert!(!ana.contains("Healthy"));
    let bo = conn_row(&body, w.bo_instagram.id.get());
    assert!(
        bo.contains("Healthy") && bo.contains("2026-03-01 02:00:00 UTC"),
        "{bo}"
    );
    // The other brand sees Cy only.
    let other = w.get("/active", Some(w.other)).await.body;
    assert!(other.contains("@yt-cy") && !other.contains("@tt-ana"));
}

fn conn_row(body: &str, id: i64) -> &str {
    body.split("<tr ")
        .find(|r| r.starts_with(&format!("data-connection=\"{id}\"")))
        .unwrap_or_else(|| panic!("no row for connection {id}"))
}

#[tokio::test]
async fn a_revoked_connection_moves_from_active_to_disabled_with_why() {
    let w = World::new().await;
    w.sim.cycle().await;
    w.sim.fake(Platform::TikTok).revoke("tt-ana");
    w.step(1).await;
    let active = w.get("/active", Some(w.acme)).await.body;
    assert!(!active.contains("@tt-ana") && active.contains("@ig-bo"));
    let a = w.get("/disabled", Some(w.acme)).await;
    assert_eq!(a.status, StatusCode::OK);
    let row = conn_row(&a.body, w.ana_tiktok.id.get());
    assert!(
        row.contains("Disconnected") && row.contains("authorization revoked"),
        "{row}"
    );
    assert!(row.contains("2026-03-01 01:00:00 UTC"), "since: {row}");
    assert!(row.contains("1 post, all readings kept"), "{row}");
    assert!(row.contains(&format!(
        "href=\"{PREFIX}/disabled/{}/reset\"",
        w.ana_tiktok.id.get()
    )));
    assert!(a.body.contains("Resetting keeps all scanned data"));
    // The page follows connection changes from the newest event on.
    let newest = w
        .store
        .list_events(None, 10_000)
        .await
        .unwrap()
        .last()
        .unwrap()
        .id;
    assert!(a.body.contains(&format!(
        "data-refresh-stream=\"{PREFIX}/events?only=connection&amp;after={}\"",
        newest.get()
    )));
    // The fragment the page's script swaps in is the table alone.
    let f = w.get("/disabled?fragment=1", Some(w.acme)).await;
    assert!(
        f.body.starts_with("<table") && f.body.contains("@tt-ana") && !f.body.contains("<html")
    );
    // Not the other brand's business.
    let other = w.get("/disabled", Some(w.other)).await.body;
    assert!(!other.contains("@tt-ana"));
}

async fn disconnect_ana(w: &World) {
    w.sim.cycle().await;
    w.sim.fake(Platform::TikTok).revoke("tt-ana");
    w.step(1).await;
    let c = w
        .store
        .get_connection(w.ana_tiktok.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.status.kind(), StatusKind::Disconnected);
}

#[tokio::test]
async fn reset_needs_a_valid_csrf_token_and_confirmation() {
    let w = World::new().await;
    disconnect_ana(&w).await;
    let id = w.ana_tiktok.id.get();
    let page = w.get(&format!("/disabled/{id}/reset"), Some(w.acme)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("All scanned posts, readings and reports stay.")
    );
    let token = csrf_token(&page.body);
    assert!(!token.is_empty());
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, StatusCode);
    let cases: Vec<Case<'_>> = vec![
        ("confirm=yes".into(), vec![], StatusCode::FORBIDDEN),
        ("csrf=&confirm=yes".into(), vec![], StatusCode::FORBIDDEN),
        (
            format!("csrf={}x&confirm=yes", token),
            vec![],
            StatusCode::FORBIDDEN,
        ),
        (format!("csrf={token}"), vec![], StatusCode::BAD_REQUEST),
        (
            format!("csrf={token}&confirm=no"),
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("csrf={token}&confirm=yes"),
            vec![("sec-fetch-site", "cross-site")],
            StatusCode::FORBIDDEN,
        ),
    ];
    for (form, headers, status) in cases {
        let a = w.post_reset(id, Some(w.acme), &form, &headers).await;
        assert_eq!(a.status, status, "{form} {headers:?}");
    }
    let c = w
        .store
        .get_connection(w.ana_tiktok.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        c.status.kind(),
        StatusKind::Disconnected,
        "nothing was reset"
    );
}

#[tokio::test]
async fn reset_clears_the_connection_and_keeps_every_post_and_reading() {
    let w = World::new().await;
    disconnect_ana(&w).await;
    let id = w.ana_tiktok.id;
    let posts_before = w
        .store
        .list_posts(PostFilter {
            connection: Some(id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(posts_before.len(), 1);
    assert_eq!(posts_before[0].state, PostState::Paused);
    let snaps_before = w
        .store
        .list_snapshots(posts_before[0].id, t0() - h(100), t0() + h(100))
        .await
        .unwrap();
    assert!(!snaps_before.is_empty());
    let token = csrf_token(
        &w.get(&format!("/disabled/{}/reset", id.get()), Some(w.acme))
            .await
            .body,
    );
    let a = w
        .post_reset(
            id.get(),
            Some(w.acme),
            &format!("csrf={token}&confirm=yes"),
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.header("location"),
        format!("{PREFIX}/disabled?reset={}", id.get())
    );
    let c = w.store.get_connection(id).await.unwrap().unwrap();
    assert_eq!(c.status.kind(), StatusKind::Reset);
    assert!(
        w.store.get_credentials(id).await.unwrap().is_none(),
        "credentials dropped"
    );
    assert!(c.high_water.is_none());
    let posts_after = w
        .store
        .list_posts(PostFilter {
            connection: Some(id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        posts_after.iter().map(|p| p.id).collect::<Vec<_>>(),
        posts_before.iter().map(|p| p.id).collect::<Vec<_>>()
    );
    let snaps_after = w
        .store
        .list_snapshots(posts_before[0].id, t0() - h(100), t0() + h(100))
        .await
        .unwrap();
    assert_eq!(snaps_after, snaps_before);
    // The page says so, and no reset is offered any more.
    let page = w
        .get(&format!("/disabled?reset={}", id.get()), Some(w.acme))
        .await
        .body;
    assert!(
        page.contains("was reset. All scanned posts and readings stay"),
        "{page}"
    );
    let row = conn_row(&page, id.get());
    assert!(row.contains("Reset") && !row.contains("/reset\""), "{row}");
    // The reset is an event every monitor of the creator's brands shows.
    let events = w.store.list_events(None, 10_000).await.unwrap();
    let last = events.last().unwrap();
    assert!(
        matches!(&last.event, Event::Connection(e) if e.connection == id && e.brands.contains(&w.acme))
    );
    let monitor = w.get("/monitor", Some(w.acme)).await.body;
    assert!(monitor.contains("Connection reset (scanned data kept)"));
    // The creator connects again: the posts are taken over, not duplicated.
    let creds = w.sim.fake(Platform::TikTok).reauthorize("tt-ana");
    w.sim
        .connect_with(w.ana, Platform::TikTok, "tt-ana", creds)
        .await;
    w.step(1).await;
    let posts = w
        .store
        .list_posts(PostFilter {
            creator: Some(w.ana),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].state, PostState::Monitoring);
    let active = w.get("/active", Some(w.acme)).await.body;
    assert!(active.contains("@tt-ana"));
}

#[tokio::test]
async fn a_reset_goes_through_the_engine_and_is_published_once() {
    let w = World::new().await;
    disconnect_ana(&w).await;
    w.sim.clock.advance(h(2));
    let id = w.ana_tiktok.id;
    let before = w.store.newest_event_id().await.unwrap();
    let token = csrf_token(
        &w.get(&format!("/disabled/{}/reset", id.get()), Some(w.acme))
            .await
            .body,
    );
    let a = w
        .post_reset(
            id.get(),
            Some(w.acme),
            &format!("csrf={token}&confirm=yes"),
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    // One event: the engine's reset, at the engine's time, for the brands
    // of the creator's scopes.
    let new = w.store.list_events(before, 100).await.unwrap();
    assert_eq!(new.len(), 1, "{new:?}");
    let Event::Connection(e) = &new[0].event else {
        panic!("a connection event: {:?}", new[0]);
    };
    assert_eq!(e.change, ConnectionChange::Reset);
    assert_eq!((e.connection, e.creator), (id, w.ana));
    assert_eq!(e.brands, [w.acme]);
    assert_eq!(e.at, w.sim.clock.now());
    assert_eq!(w.store.newest_event_id().await.unwrap(), Some(new[0].id));
}

#[tokio::test]
async fn an_active_connection_cannot_be_reset() {
    let w = World::new().await;
    w.sim.cycle().await;
    let id = w.ana_tiktok.id.get();
    // Not offered: the confirmation page refuses.
    let page = w.get(&format!("/disabled/{id}/reset"), Some(w.acme)).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("cannot be reset"));
    // A valid token from another connection's page does not get it through.
    disconnect_bo(&w).await;
    let token = csrf_token(
        &w.get(
            &format!("/disabled/{}/reset", w.bo_instagram.id.get()),
            Some(w.acme),
        )
        .await
        .body,
    );
    let a = w
        .post_reset(id, Some(w.acme), &format!("csrf={token}&confirm=yes"), &[])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // Nor does its own, issued while it was disabled, once it is active
    // again.
    w.sim.fake(Platform::TikTok).revoke("tt-ana");
    w.step(1).await;
    let token = csrf_token(
        &w.get(&format!("/disabled/{id}/reset"), Some(w.acme))
            .await
            .body,
    );
    w.sim.connect(w.ana, Platform::TikTok, "tt-ana").await;
    let a = w
        .post_reset(id, Some(w.acme), &format!("csrf={token}&confirm=yes"), &[])
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let c = w
        .store
        .get_connection(w.ana_tiktok.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.status.kind(), StatusKind::Active);
    assert!(
        w.store
            .get_credentials(w.ana_tiktok.id)
            .await
            .unwrap()
            .is_some()
    );
}

async fn disconnect_bo(w: &World) {
    w.sim.fake(Platform::Instagram).revoke("ig-bo");
    w.step(1).await;
}

#[tokio::test]
async fn another_brands_connection_cannot_be_seen_or_reset() {
    let w = World::new().await;
    w.sim.cycle().await;
    w.sim.fake(Platform::YouTube).revoke("yt-cy");
    w.step(1).await;
    disconnect_bo(&w).await;
    let cy = w.cy_youtube.id.get();
    assert_eq!(
        w.get(&format!("/disabled/{cy}/reset"), Some(w.acme))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let token = csrf_token(
        &w.get(
            &format!("/disabled/{}/reset", w.bo_instagram.id.get()),
            Some(w.acme),
        )
        .await
        .body,
    );
    // Acme has no token for it (its page is not found), and one for
    // another connection is refused.
    let a = w
        .post_reset(cy, Some(w.acme), &format!("csrf={token}&confirm=yes"), &[])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.store
            .get_connection(w.cy_youtube.id)
            .await
            .unwrap()
            .unwrap()
            .status
            .kind(),
        StatusKind::Disconnected
    );
    assert_eq!(
        w.get("/disabled/99999/reset", Some(w.acme)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.get("/disabled/abc/reset", Some(w.acme)).await.status,
        StatusCode::BAD_REQUEST
    );
    // Its owner can.
    let token = csrf_token(
        &w.get(&format!("/disabled/{cy}/reset"), Some(w.other))
            .await
            .body,
    );
    let a = w
        .post_reset(cy, Some(w.other), &format!("csrf={token}&confirm=yes"), &[])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_csrf_token_of_one_brand_does_not_reset_for_another() {
    let w = World::new().await;
    w.sim.cycle().await;
    // Cy works for both brands now: his connection is visible to Acme too.
    w.store
        .update_scope(
            w.acme,
            w.program.id,
            socialsync_core::store::ScopeChange::AddMembers(vec![w.cy]),
        )
        .await
        .unwrap();
    w.sim.fake(Platform::YouTube).revoke("yt-cy");
    w.step(1).await;
    let cy = w.cy_youtube.id.get();
    let other_token = csrf_token(
        &w.get(&format!("/disabled/{cy}/reset"), Some(w.other))
            .await
            .body,
    );
    let a = w
        .post_reset(
            cy,
            Some(w.acme),
            &format!("csrf={other_token}&confirm=yes"),
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let acme_token = csrf_token(
        &w.get(&format!("/disabled/{cy}/reset"), Some(w.acme))
            .await
            .body,
    );
    let a = w
        .post_reset(
            cy,
            Some(w.acme),
            &format!("csrf={acme_token}&confirm=yes"),
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_reset_token_resets_only_the_connection_it_was_issued_for() {
    let w = World::new().await;
    disconnect_ana(&w).await;
    disconnect_bo(&w).await;
    let ana = w.ana_tiktok.id.get();
    let bo = w.bo_instagram.id.get();
    let bos_token = csrf_token(
        &w.get(&format!("/disabled/{bo}/reset"), Some(w.acme))
            .await
            .body,
    );
    // The same brand, the same action, another connection: refused.
    let a = w
        .post_reset(
            ana,
            Some(w.acme),
            &format!("csrf={bos_token}&confirm=yes"),
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let c = w
        .store
        .get_connection(w.ana_tiktok.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        c.status.kind(),
        StatusKind::Disconnected,
        "nothing was reset"
    );
    // It still resets the one it was issued for.
    let a = w
        .post_reset(
            bo,
            Some(w.acme),
            &format!("csrf={bos_token}&confirm=yes"),
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn brand_pages_are_never_stored_by_a_cache_and_assets_are() {
    let w = World::new().await;
    disconnect_ana(&w).await;
    let ana = w.ana_tiktok.id.get();
    for path in [
        "/monitor".to_owned(),
        "/active".to_owned(),
        "/disabled".to_owned(),
        format!("/disabled/{ana}/reset"),
        "/reports".to_owned(),
        "/nothing-here".to_owned(),
    ] {
        let a = w.get(&path, Some(w.acme)).await;
        assert_eq!(a.header("cache-control"), "no-store", "{path}");
    }
    let refused = w.get("/monitor", None).await;
    assert_eq!(refused.header("cache-control"), "no-store");
    let css = w.get("/assets/dashboard.css", Some(w.acme)).await;
    assert!(css.header("cache-control").starts_with("public"));
}

#[tokio::test]
async fn the_event_stream_is_never_stored_by_a_cache() {
    let w = World::new().await;
    let r = open_stream(&w, "?after=0", None, w.acme).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
}

/// Ana's TikTok down from +3 h to +6 h, readings before and after.
async fn world_with_a_gap() -> World {
    let w = World::new().await;
    w.sim.cycle().await;
    let tt = w.sim.fake(Platform::TikTok);
    tt.set_metrics("tt-post-1", t0() + h(1), views(20));
    tt.set_metrics("tt-post-1", t0() + h(4), views(50));
    w.sim.run(h(1), 2).await; // +1, +2
    tt.revoke("tt-ana");
    w.step(1).await; // +3: disconnected
    w.sim.run(h(1), 2).await; // +4, +5
    w.sim.clock.advance(h(1)); // +6
    let creds = tt.reauthorize("tt-ana");
    w.sim
        .connect_with(w.ana, Platform::TikTok, "tt-ana", creds)
        .await;
    w.sim.cycle().await;
    w.sim.run(h(1), 2).await; // +7, +8
    w
}

const HOURLY: &str = "?from=2026-03-01T00:00:00Z&to=2026-03-01T12:00:00Z&bucket=hour";

#[tokio::test]
async fn a_scope_report_shows_totals_breakdowns_chart_states_and_gaps() {
    let w = world_with_a_gap().await;
    let a = w
        .get(
            &format!("/reports/{}{HOURLY}", w.campaign.id.get()),
            Some(w.acme),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let body = &a.body;
    assert!(body.contains("Report: Spring launch"));
    // Views: Ana 50 + Bo 100.
    let views_row = body
        .split("<tr ")
        .find(|r| r.starts_with("data-metric=\"views\""))
        .unwrap();
    assert!(views_row.contains("<td>150</td>"), "{views_row}");
    assert!(body.contains("<svg id=\"report-chart\""));
    assert!(body.contains("role=\"img\""));
    assert!(
        body.contains("class=\"gap\""),
        "hatched disconnection buckets"
    );
    assert!(
        body.contains("after-gap"),
        "marked first bucket after the gap"
    );
    assert!(body.contains("Disconnected between"));
    assert!(body.contains("id=\"posts-by-state\""));
    // The series as a table, the gap in words.
    let series = body
        .split("id=\"series-table\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(
        series.matches("<tr").count(),
        13,
        "header + 12 hourly buckets"
    );
    assert!(series.contains("disconnected during this bucket"));
    assert!(series.contains("first bucket after a gap"));
    for who in ["Ana", "Bo"] {
        assert!(
            body.contains(&format!("<th scope=\"row\">{who}</th>")),
            "{who} breakdown"
        );
    }
    assert!(
        body.contains("<th scope=\"row\">tiktok</th>")
            && body.contains("<th scope=\"row\">instagram</th>")
    );
    assert!(body.contains("href=\"https://fake.example/p/tt-post-1\""));
    // The program report has Ana only; the brand report both; hourly links keep the range.
    let program = w
        .get(
            &format!("/reports/{}{HOURLY}", w.program.id.get()),
            Some(w.acme),
        )
        .await
        .body;
    assert!(program.contains("tt-post-1") && !program.contains("ig-post-1"));
    let all = w
        .get(&format!("/reports/all{HOURLY}"), Some(w.acme))
        .await
        .body;
    assert!(all.contains("tt-post-1") && all.contains("ig-post-1") && !all.contains("yt-post-1"));
    assert!(all.contains("/reports/all/csv?from=2026-03-01T00%3A00%3A00Z&amp;to=2026-03-01T12%3A00%3A00Z&amp;bucket=hour&amp;metric=views"));
}

#[tokio::test]
async fn report_downloads_are_the_reports_csv_and_json() {
    let w = world_with_a_gap().await;
    let range = ReportRange::new(t0(), t0() + h(12), BucketSize::Hour).unwrap();
    let expected = scope_report(&*w.store, w.acme, w.campaign.id, range)
        .await
        .unwrap();
    let a = w
        .get(
            &format!("/reports/{}/csv{HOURLY}", w.campaign.id.get()),
            Some(w.acme),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        a.header("content-disposition")
            .starts_with("attachment; filename=\"socialsync-report-")
    );
    assert_eq!(a.body, expected.to_csv());
    let mut lines = a.body.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("creator,platform,post_id,permalink,published,state,views,likes")
    );
    assert!(
        a.body
            .contains("Ana,tiktok,tt-post-1,https://fake.example/p/tt-post-1,")
    );
    assert!(a.body.contains("Bo,instagram,ig-post-1,"));
    assert!(
        a.body.contains(",true,false\r\n"),
        "a disconnected bucket row"
    );
    let j = w
        .get(&format!("/reports/all/json{HOURLY}"), Some(w.acme))
        .await;
    assert_eq!(j.status, StatusCode::OK);
    assert_eq!(j.header("content-type"), "application/json");
    let expected = analytics_report(&*w.store, w.acme, range).await.unwrap();
    assert_eq!(j.body, expected.to_json());
    let v: serde_json::Value = serde_json::from_str(&j.body).unwrap();
    assert_eq!(v["series"].as_array().unwrap().len(), 12);
    assert_eq!(v["totals"]["views"]["value"], 150);
    assert_eq!(Metric::Views.name(), "views");
}

#[tokio::test]
async fn another_brands_report_is_not_found() {
    let w = World::new().await;
    let other = w.other_program.id.get();
    for suffix in ["", "/csv", "/json"] {
        let a = w
            .get(&format!("/reports/{other}{suffix}"), Some(w.acme))
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{suffix}");
        assert!(!a.body.contains("Other program"));
    }
    let list = w.get("/reports", Some(w.acme)).await.body;
    assert!(
        list.contains("Spring launch")
            && list.contains("Ambassadors")
            && !list.contains("Other program")
    );
}

#[tokio::test]
async fn bad_report_parameters_are_refused_with_400() {
    let w = World::new().await;
    let c = w.campaign.id.get();
    for q in [
        "?bucket=week",
        "?from=yesterday",
        "?from=2026-03-05&to=2026-03-01",
        "?from=2026-03-01T00:30:00Z&to=2026-03-01T05:00:00Z&bucket=hour",
        "?from=2020-01-01&to=2026-01-01",
        "?metric=avg_watch_time_ms",
        "?metric=nope",
    ] {
        for suffix in ["", "/csv"] {
            if suffix == "/csv" && q.starts_with("?metric") {
                continue;
            }
            let a = w
                .get(&format!("/reports/{c}{suffix}{q}"), Some(w.acme))
                .await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{suffix}{q}");
        }
    }
    assert_eq!(
        w.get("/reports/abc", Some(w.acme)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.get("/reports/424242", Some(w.acme)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_default_report_range_is_the_last_seven_days() {
    let w = World::new().await;
    w.sim.cycle().await;
    let a = w
        .get(&format!("/reports/{}", w.campaign.id.get()), Some(w.acme))
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.body.contains("value=\"2026-02-23T00:00:00Z\"")
            && a.body.contains("value=\"2026-03-02T00:00:00Z\"")
    );
}

#[tokio::test]
async fn the_monitor_finds_the_newest_rows_in_a_long_log() {
    use socialsync_core::events::ConnectionEvent;
    let w = World::with(|b| b.with_monitor_rows(5)).await;
    let event = |brand: BrandId, handle: String| {
        Event::Connection(ConnectionEvent {
            connection: w.ana_tiktok.id,
            creator: w.ana,
            platform: Platform::TikTok,
            handle,
            brands: vec![brand],
            at: t0(),
            change: ConnectionChange::Refreshed,
        })
    };
    // 7 000 events, Acme's every 997th, the last one far from the end.
    let mut events = Vec::new();
    for i in 0..7_000 {
        let brand = if i % 997 == 0 { w.acme } else { w.other };
        events.push(event(brand, format!("@h{i}")));
    }
    w.store.publish_events(events).await.unwrap();
    let all = w.store.list_events(None, 100_000).await.unwrap();
    let newest = all.last().unwrap().id.get();
    let expected: Vec<i64> = all
        .iter()
        .rev()
        .filter(|e| e.event.visible_to(w.acme))
        .take(5)
        .map(|e| e.id.get())
        .collect();
    let body = w.get("/monitor", Some(w.acme)).await.body;
    let shown: Vec<i64> = attributes(&body, "id")
        .iter()
        .filter_map(|id| id.strip_prefix("ev-"))
        .map(|id| id.parse().unwrap())
        .collect();
    assert_eq!(shown, expected);
    assert!(body.contains("@h6979<") && body.contains("@h2991<") && !body.contains("@h1994<"));
    assert!(body.contains(&format!("events?after={newest}\"")));
}

/// The series rows of a report page.
fn series_rows(body: &str) -> usize {
    body.split("id=\"series-table\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .map_or(0, |t| t.matches("<tr").count().saturating_sub(1))
}

/// Ranges at the first instant a timestamp holds (4714 BC) and at the last
/// day and hour boundaries (262142 AD), given as dates or RFC 3339 instants
/// in the query string, are served as pages, CSV and JSON; ranges that
/// reach past either end, are empty or too long are refused with 400.
/// Nothing panics, and nothing is moved silently to the nearest instant.
#[tokio::test]
async fn report_ranges_at_the_ends_of_time_are_served_or_refused_with_400() {
    let w = world_with_a_gap().await;
    let c = w.campaign.id.get();
    // Served: (query, buckets). `%2B` is a `+` (a year past 9999 needs its
    // sign). Without `from`, the range starts 7 days (48 hours) before `to`,
    // or at the first instant.
    let served = [
        ("?from=-4713-11-24&to=-4713-11-25", 1),
        ("?from=-4713-11-24&to=-4713-11-25&bucket=hour", 24),
        ("?from=-4713-11-24&to=-4712-12-28", 400),
        ("?to=-4713-11-26", 2),
        ("?to=-4713-11-25&bucket=hour", 24),
        ("?from=%2B262142-12-30&to=%2B262142-12-31", 1),
        ("?from=%2B262141-11-26&to=%2B262142-12-31", 400),
        ("?to=%2B262142-12-31&bucket=hour", 48),
        (
            "?from=%2B262142-12-30T22:00:00Z&to=%2B262142-12-31T23:00:00Z&bucket=hour",
            25,
        ),
        (
            "?from=-4713-11-24T00:00:00Z&to=-4713-11-24T05:00:00Z&bucket=hour",
            5,
        ),
    ];
    for (q, buckets) in served {
        let a = w.get(&format!("/reports/{c}{q}"), Some(w.acme)).await;
        assert_eq!(a.status, StatusCode::OK, "{q}: {}", a.body);
        assert_eq!(series_rows(&a.body), buckets, "{q}");
        for (suffix, ok) in [("/csv", "bucket_start"), ("/json", "\"series\"")] {
            let a = w
                .get(&format!("/reports/{c}{suffix}{q}"), Some(w.acme))
                .await;
            assert_eq!(a.status, StatusCode::OK, "{suffix}{q}: {}", a.body);
            assert!(a.body.contains(ok), "{suffix}{q}");
        }
        let all = w.get(&format!("/reports/all{q}"), Some(w.acme)).await;
        assert_eq!(all.status, StatusCode::OK, "all{q}: {}", all.body);
    }
    // The campaign's posts (2026) count at the far end only.
    for (q, posts, views) in [
        ("?from=-4713-11-24&to=-4713-11-25", 0, None),
        ("?from=%2B262142-12-30&to=%2B262142-12-31", 2, Some(150)),
    ] {
        let j = w.get(&format!("/reports/{c}/json{q}"), Some(w.acme)).await;
        let v: serde_json::Value = serde_json::from_str(&j.body).unwrap();
        assert_eq!(v["posts"], posts, "{q}");
        assert_eq!(v["totals"]["views"]["value"].as_i64(), views, "{q}");
    }
    // The page's own range fields and download links read back as the same range.
    let a = w
        .get(
            &format!("/reports/{c}?to=%2B262142-12-31&bucket=hour"),
            Some(w.acme),
        )
        .await;
    let link = a
        .body
        .split("id=\"download-json\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the JSON download link")
        .replace("&amp;", "&");
    let json = w.get(link.trim_start_matches(PREFIX), Some(w.acme)).await;
    assert_eq!(json.status, StatusCode::OK, "{link}: {}", json.body);
    assert!(
        json.body.contains("\"to\":\"+262142-12-31T00:00:00Z\""),
        "{}",
        json.body
    );
    for (field, value) in [
        ("from", "+262142-12-29T00:00:00Z"),
        ("to", "+262142-12-31T00:00:00Z"),
    ] {
        assert!(
            a.body
                .contains(&format!("name=\"{field}\" value=\"{value}\"")),
            "the {field} field"
        );
    }
    let again = w
        .get(
            &format!("/reports/{c}?from=%2B262142-12-29T00:00:00Z&to=%2B262142-12-31T00:00:00Z&bucket=hour"),
            Some(w.acme),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        series_rows(&again.body),
        48,
        "the fields give the same range"
    );
    // Refused: before the first instant, past the last, empty, or too many buckets.
    for q in [
        "?from=-4714-01-01&to=-4713-11-25",
        "?from=-262143-01-01&to=-4713-11-25",
        "?to=-4713-11-24",
        "?to=-4713-11-24T00:00:00Z&bucket=hour",
        "?from=%2B262142-12-31&to=%2B262143-01-01",
        "?from=%2B262142-12-31T23:00:00Z&to=%2B262143-01-01T00:00:00Z&bucket=hour",
        "?from=-4713-11-24&to=%2B262142-12-31",
        "?from=-4713-11-24&to=%2B262142-12-31&bucket=hour",
    ] {
        for suffix in ["", "/csv", "/json"] {
            let a = w
                .get(&format!("/reports/{c}{suffix}{q}"), Some(w.acme))
                .await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{suffix}{q}: {}", a.body);
        }
    }
}

/// 1 025 posts at 2^53 - 1 views: the report page, its chart and its
/// downloads show the exact sum, beyond `i64`, digit for digit.
#[tokio::test]
async fn report_pages_show_sums_beyond_i64_exactly() {
    let w = World::new().await;
    let yt = w.sim.fake(Platform::YouTube);
    let largest = (1u64 << 53) - 1;
    for k in 0..1_025 {
        yt.add_post(
            socialsync_testkit::FakePost::new(
                &format!("yt-big-{k}"),
                "yt-cy",
                t0() - h(1),
                "#OtherCo",
            )
            .reads(t0() - h(1), views(largest)),
        );
    }
    w.sim.run(h(1), 2).await;
    // yt-post-1's 1 000 views and the 1 025 others.
    let total = 1_000 + 1_025 * i128::from(largest);
    assert!(total > i128::from(i64::MAX));
    let digits = total.to_string();
    let grouped = "9\u{202f}232\u{202f}379\u{202f}236\u{202f}109\u{202f}516\u{202f}775";
    assert_eq!(grouped.replace('\u{202f}', ""), digits);
    let p = w.other_program.id.get();
    let page = w.get(&format!("/reports/{p}{HOURLY}"), Some(w.other)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let views_row = page
        .body
        .split("<tr ")
        .find(|r| r.starts_with("data-metric=\"views\""))
        .unwrap();
    assert!(
        views_row.contains(&format!("<td>{grouped}</td><td>{grouped}</td>")),
        "total and growth: {views_row}"
    );
    assert!(page.body.contains(&format!("peak {grouped}")), "the chart");
    let json = w
        .get(&format!("/reports/{p}/json{HOURLY}"), Some(w.other))
        .await;
    assert!(
        json.body
            .contains(&format!("\"views\":{{\"value\":{digits},")),
        "{}",
        json.body
    );
    let csv = w
        .get(&format!("/reports/{p}/csv{HOURLY}"), Some(w.other))
        .await;
    assert!(csv.body.contains(&format!(",{digits},")), "{}", csv.body);
}
