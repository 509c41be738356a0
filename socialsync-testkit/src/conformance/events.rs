use super::shared::must;
use crate::fixtures::*;
use chrono::TimeDelta;
use futures::StreamExt;
use socialsync_core::events::{ConnectionChange, ConnectionEvent, Event};
use socialsync_core::ids::{BrandId, ConnectionId, CreatorId};
use socialsync_core::platform::Platform;
use socialsync_core::store::{BudgetDecision, BudgetRequest, PostStore};
use std::sync::Arc;

/// Concurrent callers are together granted at most the limit in a window;
/// a new window starts afresh.
pub async fn shared_budget_never_grants_more_than_its_limit(store: Arc<dyn PostStore>) {
    let req = |start: i64| BudgetRequest {
        key: "tiktok:video.query".into(),
        window_start: t0() + TimeDelta::minutes(start),
        window_end: t0() + TimeDelta::minutes(start + 1),
        limit: 50,
        cost: 1,
    };
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let r = req(0);
        tasks.push(tokio::spawn(async move {
            let mut granted = 0;
            for _ in 0..20 {
                if let BudgetDecision::Granted { .. } =
                    must(store.acquire_budget(r.clone()).await, "acquire")
                {
                    granted += 1;
                }
            }
            granted
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    assert_eq!(total, 50);
    assert_eq!(
        must(store.acquire_budget(req(0)).await, "exhausted"),
        BudgetDecision::Exhausted {
            retry_at: t0() + TimeDelta::minutes(1)
        }
    );
    assert_eq!(
        must(store.acquire_budget(req(1)).await, "next window"),
        BudgetDecision::Granted { used: 1 }
    );
    let big = BudgetRequest { cost: 50, ..req(1) };
    assert!(matches!(
        must(store.acquire_budget(big).await, "too big"),
        BudgetDecision::Exhausted { .. }
    ));
    let other = BudgetRequest {
        key: "youtube:quota".into(),
        ..req(0)
    };
    assert_eq!(
        must(store.acquire_budget(other).await, "other key"),
        BudgetDecision::Granted { used: 1 }
    );
}

fn event(n: i64) -> Event {
    Event::Connection(ConnectionEvent {
        connection: ConnectionId(n),
        creator: CreatorId(1),
        platform: Platform::TikTok,
        handle: "@x".into(),
        brands: vec![BrandId(1)],
        at: hours(n),
        change: ConnectionChange::Refreshed,
    })
}

/// Events get growing ids, list in order, and a subscriber can resume after
/// an id without gap or duplicate, then receive live events.
pub async fn events_are_kept_in_order_and_resumable(store: Arc<dyn PostStore>) {
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(must(store.publish_event(event(n)).await, "publish").id);
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let all = must(store.list_events(None, 100).await, "list");
    assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), ids);
    let after = must(store.list_events(Some(ids[2]), 1).await, "list after");
    assert_eq!(after.iter().map(|e| e.id).collect::<Vec<_>>(), [ids[3]]);
    let mut stream = must(store.subscribe_events(Some(ids[2])).await, "subscribe");
    let live = must(store.publish_event(event(6)).await, "publish live");
    let mut got = Vec::new();
    for _ in 0..3 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), stream.next()).await;
        got.push(
            next.expect("event in time")
                .expect("stream open")
                .expect("not lagged"),
        );
    }
    assert_eq!(
        got.iter().map(|e| e.id).collect::<Vec<_>>(),
        [ids[3], ids[4], live.id]
    );
    assert_eq!(got[2].event, event(6));
    let last = must(
        store.publish_events(vec![event(7), event(8)]).await,
        "publish batch",
    )
    .expect("an id");
    let tail = must(store.list_events(Some(live.id), 10).await, "list batch");
    assert_eq!(
        tail.iter().map(|e| e.event.clone()).collect::<Vec<_>>(),
        [event(7), event(8)]
    );
    assert_eq!(tail[1].id, last);
    assert_eq!(
        must(store.publish_events(vec![]).await, "empty batch"),
        None
    );
}

/// A subscriber that never reads does not block publishing; when it reads,
/// it learns that it lagged and goes on with newer events.
pub async fn slow_subscriber_lags_without_blocking_publishers(store: Arc<dyn PostStore>) {
    let mut stream = must(store.subscribe_events(None).await, "subscribe");
    let publishing = async {
        for n in 0..20_000 {
            must(store.publish_event(event(n)).await, "publish");
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), publishing)
        .await
        .expect("publishing never waits for a slow subscriber");
    let mut lagged = false;
    let mut last = None;
    while let Ok(Some(item)) =
        tokio::time::timeout(std::time::Duration::from_millis(500), stream.next()).await
    {
        match item {
            Err(_) => lagged = true,
            Ok(e) => last = Some(e.event),
        }
    }
    assert!(
        lagged,
        "a subscriber 20 000 events behind must be told it lagged"
    );
    assert_eq!(
        last,
        Some(event(19_999)),
        "and still gets the newest events"
    );
}
