//! Live events across processes: another store over its own pool (as a
//! dashboard process would be) sees what a worker publishes, resumes after
//! an id, and old events are pruned by age.

mod support;

use futures::StreamExt;
use socialsync_core::events::{ConnectionChange, ConnectionEvent, Event};
use socialsync_core::ids::{BrandId, ConnectionId, CreatorId};
use socialsync_core::platform::Platform;
use socialsync_core::store::EventLog;
use socialsync_core::store::PostStore;
use socialsync_testkit::fixtures::hours;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::time::Duration;

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

pg_test! {
    async fn another_process_sees_events_and_resumes(options: PgPoolOptions, connect: PgConnectOptions) {
        let worker = support::store(options.clone(), connect.clone()).await;
        let dashboard = support::store_with(options, connect, 2).await;
        let mut live = dashboard.subscribe_events(None).await.unwrap();
        let first = worker.publish_event(event(1)).await.unwrap();
        let last = worker.publish_events(vec![event(2), event(3)]).await.unwrap().unwrap();
        let mut got = Vec::new();
        for _ in 0..3 {
            let e = tokio::time::timeout(Duration::from_secs(5), live.next())
                .await
                .expect("in time")
                .expect("open")
                .expect("not lagged");
            got.push(e);
        }
        assert_eq!(got.iter().map(|e| e.event.clone()).collect::<Vec<_>>(), [event(1), event(2), event(3)]);
        assert_eq!(got[2].id, last);
        drop(live);
        // A dashboard that reconnects resumes after the last id it saw.
        worker.publish_event(event(4)).await.unwrap();
        let mut resumed = dashboard.subscribe_events(Some(first.id)).await.unwrap();
        let mut ids = Vec::new();
        for _ in 0..3 {
            let e = tokio::time::timeout(Duration::from_secs(5), resumed.next())
                .await
                .expect("in time")
                .expect("open")
                .expect("not lagged");
            ids.push(e.event);
        }
        assert_eq!(ids, [event(2), event(3), event(4)]);
    }
}

pg_test! {
    async fn events_are_pruned_by_age(options: PgPoolOptions, connect: PgConnectOptions) {
        let store = support::store(options, connect).await;
        for n in 1..=5 {
            store.publish_event(event(n)).await.unwrap();
        }
        assert_eq!(store.prune_events(hours(3)).await.unwrap(), 2);
        let kept = store.list_events(None, 10).await.unwrap();
        assert_eq!(kept.iter().map(|e| e.event.clone()).collect::<Vec<_>>(), [event(3), event(4), event(5)]);
        // Once every event is pruned the log has no newest id and no brand
        // sees anything.
        assert_eq!(store.prune_events(hours(6)).await.unwrap(), 3);
        assert_eq!(store.newest_event_id().await.unwrap(), None);
        assert!(store.latest_events(BrandId(1), 10).await.unwrap().is_empty());
    }
}

pg_test! {
    /// A large batch (written with COPY) keeps its order, its last id and
    /// every character of its bodies, escapes included.
    async fn a_large_batch_keeps_order_ids_and_every_character(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let store = support::store(options, connect).await;
        let before = store.publish_event(event(0)).await.unwrap().id;
        let batch: Vec<Event> = (1..=40)
            .map(|n| match event(n) {
                Event::Connection(mut e) => {
                    e.handle = format!("@x{n} \\N back\\slash \"q\" tab\there\nline é✓ \\\\");
                    Event::Connection(e)
                }
                other => other,
            })
            .collect();
        let last = store.publish_events(batch.clone()).await.unwrap().unwrap();
        let listed = store.list_events(Some(before), 100).await.unwrap();
        assert_eq!(listed.iter().map(|e| e.event.clone()).collect::<Vec<_>>(), batch);
        assert_eq!(listed.last().map(|e| e.id), Some(last));
        assert!(listed.windows(2).all(|w| w[0].id < w[1].id));
    }
}

pg_test! {
    /// Publishers writing at once (engine lanes, worker processes) never
    /// make a live subscriber skip an event: ids are handed out in the order
    /// the batches become visible.
    async fn concurrent_publishers_never_make_a_subscriber_skip(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        const TASKS: i64 = 6;
        const BATCHES: i64 = 40;
        let dashboard = support::store_with(options.clone(), connect.clone(), 2)
            .await
            .with_subscriber_buffer(10_000);
        let mut live = dashboard.subscribe_events(None).await.unwrap();
        let mut tasks = Vec::new();
        for t in 0..TASKS {
            let worker = support::store_with(options.clone(), connect.clone(), 2).await;
            tasks.push(tokio::spawn(async move {
                for b in 0..BATCHES {
                    // Small and large batches: both ways of writing.
                    let n = if b % 2 == 0 { 3 } else { 20 };
                    let batch = (0..n).map(|i| event(t * 100_000 + b * 100 + i)).collect();
                    worker.publish_events(batch).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let expected = TASKS * BATCHES / 2 * (3 + 20);
        let mut seen = std::collections::BTreeSet::new();
        while (seen.len() as i64) < expected {
            let e = tokio::time::timeout(Duration::from_secs(10), live.next())
                .await
                .unwrap_or_else(|_| panic!("only {} of {expected} events arrived", seen.len()))
                .expect("open")
                .expect("not lagged");
            assert!(seen.insert(e.id), "{} delivered twice", e.id);
        }
    }
}

pg_test! {
    unmigrated
    /// The migration that indexes events by brand fills in the brands of
    /// the events already in the log.
    async fn events_logged_before_the_brand_index_are_found_for_their_brands(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        use socialsync_store_postgres::{MIGRATOR, PgStore};
        let pool = options.max_connections(2).connect_with(connect).await.unwrap();
        let (before, after): (Vec<_>, Vec<_>) =
            MIGRATOR.migrations.iter().partition(|m| m.version < 20261128000004);
        for m in &before {
            sqlx::raw_sql(&m.sql).execute(&pool).await.unwrap();
        }
        let branded = |n: i64, brands: Vec<BrandId>| match event(n) {
            Event::Connection(c) => Event::Connection(ConnectionEvent { brands, ..c }),
            other => other,
        };
        let old = [
            branded(1, vec![BrandId(1)]),
            branded(2, vec![BrandId(2)]),
            branded(3, vec![BrandId(1), BrandId(2)]),
            branded(4, vec![]),
        ];
        for e in &old {
            sqlx::query("INSERT INTO events (at, body) VALUES ($1, $2::json)")
                .bind(e.at())
                .bind(serde_json::to_string(e).unwrap())
                .execute(&pool)
                .await
                .unwrap();
        }
        for m in &after {
            sqlx::raw_sql(&m.sql).execute(&pool).await.unwrap();
        }
        let store = PgStore::new(pool, support::test_keys());
        let of = |brand: i64| {
            let store = &store;
            async move {
                store
                    .latest_events(BrandId(brand), 10)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| e.event)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(of(1).await, [old[0].clone(), old[2].clone()]);
        assert_eq!(of(2).await, [old[1].clone(), old[2].clone()]);
        assert_eq!(store.newest_event_id().await.unwrap(), Some(socialsync_core::ids::EventId(4)));
        // Events published from then on are found alike.
        let new = store.publish_event(branded(5, vec![BrandId(2)])).await.unwrap();
        assert_eq!(store.latest_events(BrandId(2), 1).await.unwrap(), [new]);
    }
}

pg_test! {
    /// A hundred open streams (dashboard tabs) on a store whose pool has 4
    /// connections: they share one listener outside the pool, so the engine
    /// still scans, pages still load, and every stream gets every event.
    async fn a_hundred_open_streams_leave_the_pool_to_the_engine(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        use socialsync_core::metrics::{Metric, Metrics};
        use socialsync_testkit::{FakePost, Sim, fixtures};
        use std::sync::Arc;
        let options = options.acquire_timeout(Duration::from_secs(5));
        let store: Arc<dyn PostStore> =
            Arc::new(support::store_with(options, connect, 4).await);
        let mut streams = Vec::new();
        for n in 0..100 {
            let s = tokio::time::timeout(Duration::from_secs(10), store.subscribe_events(None))
                .await
                .unwrap_or_else(|_| panic!("stream {n} could not open in time"))
                .unwrap_or_else(|e| panic!("stream {n}: {e}"));
            streams.push(s);
        }
        let (brand, ana, _) = fixtures::program(store.as_ref()).await;
        let sim = Sim::new(store.clone(), hours(0));
        let fake = sim.fake(Platform::TikTok);
        for k in 0..20 {
            let at = hours(-1) + chrono::TimeDelta::minutes(k);
            fake.add_post(
                FakePost::new(&format!("v{k}"), "ana", at, "#BrandX")
                    .reads(at, Metrics::new().with(Metric::Views, 10 + k as u64)),
            );
        }
        sim.connect(ana.id, Platform::TikTok, "ana").await;
        tokio::time::timeout(Duration::from_secs(120), sim.run(chrono::TimeDelta::hours(1), 3))
            .await
            .expect("the engine scans while a hundred streams are open");
        let pages = async {
            store.latest_events(brand.id, 50).await.unwrap();
            store.list_posts(Default::default()).await.unwrap();
            store.list_connections(Default::default()).await.unwrap();
        };
        tokio::time::timeout(Duration::from_secs(10), pages)
            .await
            .expect("pages load while a hundred streams are open");
        let published: Vec<_> = store
            .list_events(None, 100_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert!(published.len() > 20, "the engine published: {}", published.len());
        for (n, s) in streams.iter_mut().enumerate() {
            let mut got = Vec::new();
            while got.len() < published.len() {
                let e = tokio::time::timeout(Duration::from_secs(10), s.next())
                    .await
                    .unwrap_or_else(|_| panic!("stream {n}: {} of {} events", got.len(), published.len()))
                    .expect("open")
                    .expect("not lagged");
                got.push(e.id);
            }
            assert_eq!(got, published, "stream {n}");
        }
    }
}

/// A store whose tables live in schema `schema` of the test's database:
/// every pool connection sets its search path, as a host running several
/// tenants in one database would.
async fn store_in_schema(
    options: PgPoolOptions,
    connect: PgConnectOptions,
    schema: &'static str,
) -> socialsync_store_postgres::PgStore {
    let admin = options
        .clone()
        .max_connections(1)
        .connect_with(connect.clone())
        .await
        .unwrap();
    sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let pool = options
        .max_connections(2)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                sqlx::query(&format!("SET search_path TO {schema}"))
                    .execute(conn)
                    .await
                    .map(drop)
            })
        })
        .connect_with(connect)
        .await
        .unwrap();
    let store = socialsync_store_postgres::PgStore::new(pool, support::test_keys());
    store.migrate().await.unwrap();
    store
}

async fn next_event(
    stream: &mut socialsync_core::events::EventStream,
) -> Option<socialsync_core::events::StoredEvent> {
    tokio::time::timeout(Duration::from_secs(3), stream.next())
        .await
        .ok()
        .map(|e| e.expect("open").expect("not lagged"))
}

pg_test! {
    /// Two stores in two schemas of one database: each stream sees its own
    /// store's events, in full, and never the other's (whose ids run ahead).
    async fn a_store_in_its_own_schema_streams_its_own_events_only(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let a = store_in_schema(options.clone(), connect.clone(), "tenant_a").await;
        let b = store_in_schema(options, connect, "tenant_b").await;
        let mut from_a = a.subscribe_events(None).await.unwrap();
        let mut from_b = b.subscribe_events(None).await.unwrap();
        for n in 1..=5 {
            a.publish_event(event(n)).await.unwrap();
        }
        for _ in 1..=5 {
            assert!(next_event(&mut from_a).await.is_some(), "a's stream gets a's events");
        }
        let own = b.publish_event(event(100)).await.unwrap();
        let got = next_event(&mut from_b).await.expect("b's stream gets b's event");
        assert_eq!((got.id, got.event), (own.id, event(100)));
        assert!(next_event(&mut from_b).await.is_none(), "nothing of a's reaches b");
    }
}

pg_test! {
    /// A resume whose backlog cannot be read (the table is away) tells the
    /// reader it missed events rather than going on as if there were none.
    async fn a_resume_whose_backlog_cannot_be_read_is_never_a_silent_gap(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let store = support::store(options.clone(), connect.clone()).await;
        for n in 1..=5 {
            store.publish_event(event(n)).await.unwrap();
        }
        let mut resumed = store.subscribe_events(Some(socialsync_core::ids::EventId(0))).await.unwrap();
        let admin = options.max_connections(1).connect_with(connect).await.unwrap();
        sqlx::query("ALTER TABLE events RENAME TO events_away").execute(&admin).await.unwrap();
        let first = tokio::time::timeout(Duration::from_secs(10), resumed.next())
            .await
            .expect("an answer in time")
            .expect("open");
        sqlx::query("ALTER TABLE events_away RENAME TO events").execute(&admin).await.unwrap();
        let lagged = first.expect_err("the unread backlog is reported as missed");
        assert!(lagged.missed >= 5, "{lagged:?}");
        // The live part goes on.
        let live = store.publish_event(event(6)).await.unwrap();
        let next = tokio::time::timeout(Duration::from_secs(5), resumed.next())
            .await
            .expect("in time")
            .expect("open")
            .expect("not lagged");
        assert_eq!(next.id, live.id);
    }
}

pg_test! {
    /// Any session may NOTIFY the store's channel: a forged id (the largest
    /// there is) moves nothing, and the streams still get every real event.
    async fn a_forged_notification_does_not_silence_the_streams(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let store = support::store(options, connect).await;
        let mut live = store.subscribe_events(None).await.unwrap();
        sqlx::query(
            "SELECT pg_notify('socialsync_events_' || md5(current_schema()), '9223372036854775807')",
        )
        .execute(store.pool())
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let real = store.publish_event(event(1)).await.unwrap();
        let got = next_event(&mut live).await.expect("the real event arrives");
        assert_eq!(got.id, real.id);
    }
}
