//! The API key of `videos:batchGetStats`, attacked: a call Google cannot
//! tie to the project (a wrong key, no credentials) is refused before it
//! is charged, so strangers' calls never spend the project's daily bucket
//! and measurements against the sandbox count only the app's own calls.

use socialsync_sandbox::{RateLimits, Sandbox};

const KEY: &str = "sandbox-project-key";

async fn call(http: &reqwest::Client, url: &str, key: Option<&str>) -> u16 {
    let mut req = http
        .get(url)
        .query(&[("part", "statistics"), ("id", "Xk3mP9qL2aB")]);
    if let Some(k) = key {
        req = req.header("X-Goog-Api-Key", k);
    }
    req.send().await.expect("send").status().as_u16()
}

#[tokio::test]
async fn calls_with_a_wrong_key_or_none_do_not_spend_the_projects_bucket() {
    let sandbox = Sandbox::builder()
        .seed(3)
        .youtube_api_key(KEY)
        .rate_limits(RateLimits {
            youtube_batch_get_stats_daily_units: 2,
            ..RateLimits::default()
        })
        .build();
    let running = sandbox.start().await.expect("start");
    let url = format!("{}/videos:batchGetStats", running.youtube_url());
    let http = reqwest::Client::new();

    assert_eq!(call(&http, &url, Some("a-strangers-key")).await, 400);
    assert_eq!(call(&http, &url, None).await, 403, "no credentials");
    let wrong_again = call(&http, &url, Some("a-strangers-key")).await;
    let own = call(&http, &url, Some(KEY)).await;
    assert_eq!(
        (wrong_again, own),
        (400, 200),
        "after two calls the project could not have made, its own key is refused \
         (quotaExceeded) and a wrong key is told the quota is spent rather than that \
         the key is invalid"
    );
}
