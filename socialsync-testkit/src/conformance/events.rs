use super::shared::must;
use crate::fixtures::*;
use chrono::TimeDelta;
use futures::StreamExt;
use socialsync_core::domain::PostState;
use socialsync_core::events::{
    ConnectionChange, ConnectionEvent, Event, ScanEvent, ScanOutcome, StoredEvent,
};
use socialsync_core::ids::{BrandId, ConnectionId, CreatorId, EventId, PlatformPostId, PostId};
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
                    must(store.acquire(r.clone()).await, "acquire")
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
        must(store.acquire(req(0)).await, "exhausted"),
        BudgetDecision::Exhausted {
            retry_at: t0() + TimeDelta::minutes(1)
        }
    );
    assert_eq!(
        must(store.acquire(req(1)).await, "next window"),
        BudgetDecision::Granted { used: 1 }
    );
    let big = BudgetRequest { cost: 50, ..req(1) };
    assert!(matches!(
        must(store.acquire(big).await, "too big"),
        BudgetDecision::Exhausted { .. }
    ));
    let other = BudgetRequest {
        key: "youtube:quota".into(),
        ..req(0)
    };
    assert_eq!(
        must(store.acquire(other).await, "other key"),
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

/// A resume after an id the log never reached (a dashboard that saw another
/// database's ids, or one restored from a backup) still gets every event
/// published from then on: no live event is dropped for being below it.
pub async fn a_resume_after_an_id_beyond_the_log_still_gets_what_is_published(
    store: Arc<dyn PostStore>,
) {
    let first = must(store.publish_event(event(1)).await, "publish").id;
    let beyond = EventId(first.get() + 1_000);
    let mut stream = must(store.subscribe_events(Some(beyond)).await, "subscribe");
    let live = must(store.publish_event(event(2)).await, "publish live");
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), stream.next())
        .await
        .expect("the event published after the resume arrives")
        .expect("stream open")
        .expect("not lagged");
    assert_eq!(next.id, live.id);
    assert_eq!(next.event, event(2));
}

/// A resume "after" an id below every id (the lowest `i64`) replays the
/// whole log, then follows it.
pub async fn a_resume_after_the_lowest_id_gets_every_event(store: Arc<dyn PostStore>) {
    let first = must(store.publish_event(event(1)).await, "publish").id;
    let mut stream = must(
        store.subscribe_events(Some(EventId(i64::MIN))).await,
        "subscribe",
    );
    let live = must(store.publish_event(event(2)).await, "publish live").id;
    let mut got = Vec::new();
    for _ in 0..2 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), stream.next())
            .await
            .expect("event in time")
            .expect("stream open")
            .expect("not lagged");
        got.push(next.id);
    }
    assert_eq!(got, [first, live]);
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

/// An event at `hours(n)` that `brands` may see: a connection change for
/// odd `n`, a scan for even `n` (both kinds carry their brands).
fn seen_by(n: i64, brands: &[i64]) -> Event {
    let brands: Vec<BrandId> = brands.iter().copied().map(BrandId).collect();
    if n % 2 == 1 {
        return Event::Connection(ConnectionEvent {
            connection: ConnectionId(n),
            creator: CreatorId(1),
            platform: Platform::TikTok,
            handle: "@x".into(),
            brands,
            at: hours(n),
            change: ConnectionChange::Refreshed,
        });
    }
    Event::Scan(ScanEvent {
        post: PostId(n),
        platform_post_id: PlatformPostId::from(format!("p{n}").as_str()),
        platform: Platform::Instagram,
        connection: ConnectionId(1),
        creator: CreatorId(1),
        brands: brands.into(),
        scopes: Arc::from([]),
        at: hours(n),
        outcome: ScanOutcome::Unchanged,
        state: PostState::Monitoring,
        changes: Vec::new(),
    })
}

/// The ids of `events`.
fn ids_of(events: &[StoredEvent]) -> Vec<EventId> {
    events.iter().map(|e| e.id).collect()
}

/// The newest id of the log, and a brand's latest events: none in an empty
/// log; after single and batched publications (a large batch too) the
/// newest id is the last published; a brand gets the newest `limit` events
/// it may see, oldest first, whatever other brands' events lie between,
/// with `limit` above or below what there is.
pub async fn event_log_gives_newest_id_and_a_brands_latest_events(store: Arc<dyn PostStore>) {
    assert_eq!(must(store.newest_event_id().await, "newest of empty"), None);
    assert!(must(store.latest_events(BrandId(1), 10).await, "latest of empty").is_empty());

    // Brand 1 sees every third event, brand 2 the others, both every fifth,
    // nobody every seventh.
    let brands_of = |n: i64| -> Vec<i64> {
        if n % 7 == 0 {
            vec![]
        } else if n % 5 == 0 {
            vec![1, 2]
        } else if n % 3 == 0 {
            vec![1]
        } else {
            vec![2]
        }
    };
    let mut published: Vec<(EventId, Event)> = Vec::new();
    for n in 1..=4 {
        let e = seen_by(n, &brands_of(n));
        let stored = must(store.publish_event(e.clone()).await, "publish");
        published.push((stored.id, e));
        assert_eq!(
            must(store.newest_event_id().await, "newest after publish"),
            Some(stored.id)
        );
    }
    // A small batch and a large one (stores may write those differently).
    for range in [5..=8, 9..=40] {
        let batch: Vec<Event> = range.map(|n| seen_by(n, &brands_of(n))).collect();
        let last = must(store.publish_events(batch.clone()).await, "publish batch")
            .expect("a batch's last id");
        assert_eq!(
            must(store.newest_event_id().await, "newest after batch"),
            Some(last)
        );
        let stored = must(
            store.list_events(published.last().map(|p| p.0), 100).await,
            "list batch",
        );
        assert_eq!(stored.len(), batch.len());
        published.extend(stored.into_iter().map(|e| (e.id, e.event)));
    }
    assert_eq!(published.len(), 40);

    let expected = |brand: i64, limit: usize| -> Vec<(EventId, Event)> {
        let seen: Vec<(EventId, Event)> = published
            .iter()
            .filter(|(_, e)| e.visible_to(BrandId(brand)))
            .cloned()
            .collect();
        seen[seen.len().saturating_sub(limit)..].to_vec()
    };
    for brand in [1, 2] {
        let all = expected(brand, usize::MAX);
        for limit in [0, 1, 3, all.len() - 1, all.len(), all.len() + 1, 1_000] {
            let got = must(store.latest_events(BrandId(brand), limit).await, "latest");
            assert_eq!(
                got.iter()
                    .map(|e| (e.id, e.event.clone()))
                    .collect::<Vec<_>>(),
                expected(brand, limit),
                "brand {brand}, limit {limit}"
            );
        }
    }
    // Oldest first; an event two brands may see is each one's.
    let latest = must(store.latest_events(BrandId(1), 4).await, "latest 4");
    assert!(ids_of(&latest).windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        latest.iter().map(|e| e.event.at()).collect::<Vec<_>>(),
        [hours(33), hours(36), hours(39), hours(40)]
    );
    let both = must(
        store.latest_events(BrandId(2), 2).await,
        "latest of brand 2",
    );
    assert_eq!(
        both.iter().map(|e| e.event.at()).collect::<Vec<_>>(),
        [hours(38), hours(40)]
    );
    // A brand nothing was published for sees nothing.
    assert!(must(store.latest_events(BrandId(3), 10).await, "brand 3").is_empty());
}

/// How many events [`event_queries_skip_pruned_events`] expects a store to
/// keep once pruned.
pub const KEPT_AFTER_PRUNING: usize = 4;

/// The newest id and a brand's latest events once old events are pruned:
/// only kept events are given, and the newest id stays the last published.
///
/// Not stamped by [`store_conformance_tests!`](crate::store_conformance_tests):
/// pruning is each store's own. It publishes ten events at `hours(1)` to
/// `hours(10)`, then awaits `prune`, after which the store must keep exactly
/// the newest [`KEPT_AFTER_PRUNING`] of them (those at `hours(7)` and
/// later). A store that keeps a bounded number of events may drop them as
/// it publishes (made to keep that many) with a `prune` that does nothing;
/// one that prunes by age drops the events before `hours(7)`.
pub async fn event_queries_skip_pruned_events<F, Fut>(store: Arc<dyn PostStore>, prune: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    // Brand 1 sees events 1, 2 and 8; brand 2 the others.
    let brands_of = |n: i64| if [1, 2, 8].contains(&n) { 1 } else { 2 };
    let last = must(
        store
            .publish_events((1..=10).map(|n| seen_by(n, &[brands_of(n)])).collect())
            .await,
        "publish",
    )
    .expect("an id");
    prune().await;
    let kept = must(store.list_events(None, 100).await, "list kept");
    assert_eq!(
        kept.iter().map(|e| e.event.at()).collect::<Vec<_>>(),
        (7..=10).map(hours).collect::<Vec<_>>(),
        "prune must keep the newest {KEPT_AFTER_PRUNING} events"
    );
    assert_eq!(must(store.newest_event_id().await, "newest"), Some(last));
    let one = must(store.latest_events(BrandId(1), 10).await, "brand 1");
    assert_eq!(
        one.iter().map(|e| e.event.clone()).collect::<Vec<_>>(),
        [seen_by(8, &[1])],
        "pruned events are not given"
    );
    let two = must(store.latest_events(BrandId(2), 2).await, "brand 2");
    assert_eq!(
        two.iter().map(|e| e.event.clone()).collect::<Vec<_>>(),
        [seen_by(9, &[2]), seen_by(10, &[2])]
    );
    assert_eq!(
        must(store.latest_events(BrandId(2), 10).await, "brand 2, all").len(),
        3
    );
}
