//! Scan blocks: posts packed by connection and phase, and what each worker
//! remembers of the posts it claims, never used once another process
//! changed them; the migration that moved existing schedules into blocks.

mod support;

use chrono::TimeDelta;
use socialsync_core::domain::ScopeKind;
use socialsync_core::metrics::{Metric, Metrics};
use socialsync_core::report::{BucketSize, ReportQuery};
use socialsync_core::store::ConnectionStore;
use socialsync_core::store::PostCatalog;
use socialsync_core::store::ReportStore;
use socialsync_core::store::ScanQueue;
use socialsync_core::store::{
    ClaimRequest, ClaimedPost, CompletionOutcome, NextScan, ScanCompletion, ScanReading,
};
use socialsync_store_postgres::{MIGRATOR, PgStore};
use socialsync_testkit::fixtures::{
    self, attributed, creator, hours, post, scan, scope, t0, world,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::BTreeSet;

fn views(v: u64) -> Metrics {
    Metrics::new().with(Metric::Views, v)
}

async fn claim_all(store: &PgStore, at: socialsync_core::clock::Timestamp) -> Vec<ClaimedPost> {
    store
        .claim_due_posts(ClaimRequest {
            now: at,
            lease_until: at + TimeDelta::minutes(10),
            limit: 10_000,
        })
        .await
        .unwrap()
}

pg_test! {
    /// Two processes (two stores, each with its own pool and memory) over
    /// one database: what one remembers of a post is never handed out after
    /// the other wrote a newer reading or changed the post's attribution.
    async fn a_worker_never_uses_what_another_process_changed(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let a = support::store(options.clone(), connect.clone()).await;
        let b = support::store(options, connect).await;
        let w = world(&a).await;
        let id = a
            .upsert_posts(
                vec![post(&w.connection, "p1", hours(-1), vec![attributed(&w.scope, "brandx")])],
                hours(0),
            )
            .await
            .unwrap()[0]
            .id;
        // A scans first and remembers the post; B writes the next reading.
        scan(&a, id, hours(0), views(5), NextScan::At(hours(1))).await;
        scan(&b, id, hours(1), views(9), NextScan::At(hours(2))).await;
        let claims = claim_all(&a, hours(2)).await;
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].post.latest, Some(views(9)), "B's reading, not A's memory");
        let out = a
            .complete_scans(vec![ScanCompletion {
                post: id,
                token: claims[0].token,
                at: hours(2),
                reading: ScanReading::Changed(views(12)),
                next: NextScan::At(hours(3)),
            }])
            .await
            .unwrap();
        assert_eq!(out, [CompletionOutcome::Applied]);
        let r = a
            .report_inputs(ReportQuery {
                brand: w.brand.id,
                scope: Some(w.scope.id),
                from: hours(0),
                to: hours(4),
                bucket: BucketSize::Hour,
            })
            .await
            .unwrap();
        let totals: Vec<i128> = r
            .boundaries
            .iter()
            .map(|(_, t)| t[Metric::Views.index()])
            .collect();
        assert_eq!(totals, [0, 5, 9, 12, 12], "each change counted from the true previous reading");
        // B moves the post to another scope: A hands out the new attribution.
        let other = scope(&b, &w.brand, "Spring", &["spring"], &[w.creator.id], ScopeKind::Program)
            .await;
        b.set_attribution(id, vec![attributed(&other, "spring")], hours(3))
            .await
            .unwrap();
        let claims = claim_all(&a, hours(3)).await;
        assert_eq!(claims.len(), 1);
        assert_eq!(&*claims[0].post.scopes, [other.id]);
        assert_eq!(claims[0].post.latest, Some(views(12)));
    }
}

pg_test! {
    /// A block holds up to 128 posts of one connection whose slots fall in
    /// the same five minutes of the hour; a claim leases each block's posts
    /// under one token, a fresh one per block.
    async fn posts_are_packed_by_connection_and_phase(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let s = support::store(options, connect).await;
        let w = world(&s).await;
        let tagged = || vec![attributed(&w.scope, "brandx")];
        let mut ups: Vec<_> = (0..300)
            .map(|i| post(&w.connection, &format!("a{i}"), hours(-1), tagged()))
            .collect();
        // Ten minutes later in the hour: another phase.
        ups.extend((0..5).map(|i| {
            post(&w.connection, &format!("b{i}"), hours(-1) + TimeDelta::minutes(10), tagged())
        }));
        s.upsert_posts(ups, hours(0)).await.unwrap();
        let sizes: Vec<(i16, i32)> = sqlx::query_as(
            "SELECT phase, cardinality(post_ids) FROM scan_blocks ORDER BY phase, id",
        )
        .fetch_all(s.pool())
        .await
        .unwrap();
        assert_eq!(sizes, [(0, 128), (0, 128), (0, 44), (2, 5)]);
        let claims = claim_all(&s, hours(0)).await;
        assert_eq!(claims.len(), 305);
        let tokens: BTreeSet<_> = claims.iter().map(|c| c.token).collect();
        assert_eq!(tokens.len(), 4, "one token per block");
        let ids: BTreeSet<_> = claims.iter().map(|c| c.post.id).collect();
        assert_eq!(ids.len(), 305);
    }
}

pg_test! {
    /// When the first blocks a claim locks hold few due posts (one each
    /// here: twelve phases, one post in each), it locks more until it has
    /// its limit, and never more than the limit.
    async fn a_claim_gathers_sparse_blocks_up_to_its_limit(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let s = support::store(options, connect).await;
        let w = world(&s).await;
        let ups = (0..12)
            .map(|k| {
                let published = hours(-1) + TimeDelta::minutes(5 * k);
                post(&w.connection, &format!("p{k}"), published, vec![attributed(&w.scope, "brandx")])
            })
            .collect();
        s.upsert_posts(ups, hours(0)).await.unwrap();
        let blocks: i64 = sqlx::query_scalar("SELECT count(*) FROM scan_blocks")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert_eq!(blocks, 12);
        let first = s
            .claim_due_posts(ClaimRequest {
                now: hours(0),
                lease_until: hours(0) + TimeDelta::minutes(10),
                limit: 10,
            })
            .await
            .unwrap();
        assert_eq!(first.len(), 10);
        assert_eq!(claim_all(&s, hours(0)).await.len(), 2, "the rest");
    }
}

pg_test! {
    /// A monitored post another active connection finds after its owner
    /// was disconnected moves to a block of that connection with its count,
    /// and is claimed there.
    async fn a_post_taken_over_moves_to_its_new_connections_block(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let s = support::store(options, connect).await;
        let w = world(&s).await;
        let tagged = || vec![attributed(&w.scope, "brandx")];
        let id = s
            .upsert_posts(vec![post(&w.connection, "shared", hours(-1), tagged())], hours(0))
            .await
            .unwrap()[0]
            .id;
        scan(&s, id, hours(0), views(5), NextScan::At(hours(1))).await;
        let bo = creator(&s, "Bo").await;
        let other = fixtures::connect(&s, bo.id, socialsync_core::platform::Platform::Instagram, "ig-bo").await;
        s.disconnect(socialsync_core::store::DisconnectRequest {
            connection: w.connection.id,
            credentials_version: w.connection.credentials_version,
            reason: socialsync_core::domain::DisconnectReason::Revoked,
            at: hours(0),
            notify_claim_until: hours(0),
        })
        .await
        .unwrap();
        s.upsert_posts(vec![post(&other, "shared", hours(-1), tagged())], hours(0))
            .await
            .unwrap();
        let owner: i64 = sqlx::query_scalar(
            "SELECT b.connection_id FROM schedule s JOIN scan_blocks b ON b.id = s.block_id \
             WHERE s.post_id = $1",
        )
        .bind(id.0)
        .fetch_one(s.pool())
        .await
        .unwrap();
        assert_eq!(owner, other.id.0);
        let p = s.get_post(id).await.unwrap().expect("post");
        // Taken over from a disconnected owner: due at once.
        assert_eq!((p.scan_count, p.next_scan_at), (1, Some(hours(0))));
        let claims = claim_all(&s, hours(1)).await;
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].post.connection, other.id);
        assert_eq!(claims[0].post.latest, Some(views(5)));
    }
}

pg_test! {
    unmigrated
    /// The migration to scan blocks keeps every post's state, due time, scan
    /// count, last scan and latest reading.
    async fn existing_schedules_move_into_blocks(
        options: PgPoolOptions,
        connect: PgConnectOptions,
    ) {
        let pool = options.max_connections(2).connect_with(connect).await.unwrap();
        let (before, after): (Vec<_>, Vec<_>) =
            MIGRATOR.migrations.iter().partition(|m| m.version < 20261128000003);
        for m in &before {
            sqlx::raw_sql(&m.sql).execute(&pool).await.unwrap();
        }
        sqlx::raw_sql(
            "INSERT INTO creators (name, created_at) VALUES ('Ana', now()); \
             INSERT INTO connections (creator_id, platform, account_id, handle, status, \
               status_kind, history, credentials_version, health, created_at) \
             VALUES (1, 'instagram', 'ig-ana', '@ana', '{}', 'active', '[]', 1, '{}', now()); \
             INSERT INTO posts (platform, platform_post_id, connection_id, creator_id, \
               published_at, monitor_until, kind, body, keyword_tags, hashtags, attribution, \
               first_seen_at) \
             SELECT 'instagram', 'p' || g, 1, 1, \
               timestamptz '2026-03-01 00:00:00+00' + g * interval '7 minutes', \
               timestamptz '2026-05-30 00:00:00+00', '\"image\"', '', '[]', '[]', '[]', now() \
             FROM generate_series(1, 300) g; \
             INSERT INTO schedule (post_id, state, next_scan_at, scan_count, last_scanned_at, \
               latest_at, latest_metrics) \
             SELECT id, CASE WHEN id % 3 = 0 THEN 'paused' ELSE 'monitoring' END, \
               published_at + interval '5 hours', id, published_at + interval '4 hours', \
               published_at + interval '2 hours', ARRAY[id] || array_fill(NULL::bigint, ARRAY[12]) FROM posts; \
             INSERT INTO snapshots (post_id, observed_at, metrics) \
             SELECT id, published_at + interval '2 hours', ARRAY[id] || array_fill(NULL::bigint, ARRAY[12]) FROM posts;",
        )
        .execute(&pool)
        .await
        .unwrap();
        for m in &after {
            sqlx::raw_sql(&m.sql).execute(&pool).await.unwrap();
        }
        let store = PgStore::new(pool, support::test_keys());
        for n in [1_i64, 2, 3, 150, 299, 300] {
            let p = store
                .get_post(socialsync_core::ids::PostId(n))
                .await
                .unwrap()
                .expect("post kept");
            let published = t0() + TimeDelta::minutes(7 * n);
            assert_eq!(p.next_scan_at, Some(published + TimeDelta::hours(5)), "post {n}");
            assert_eq!(p.last_scanned_at, Some(published + TimeDelta::hours(4)));
            assert_eq!(i64::from(p.scan_count), n);
        }
        // Monitoring posts are due when they were; paused ones are not claimed.
        let claims = claim_all(&store, t0() + TimeDelta::days(3)).await;
        assert_eq!(claims.len(), 200);
        assert!(claims.iter().all(|c| c.post.id.0 % 3 != 0));
        let c = claims.iter().find(|c| c.post.id.0 == 7).expect("post 7 due");
        assert_eq!(
            c.post.latest,
            Some(Metrics::new().with(Metric::ALL[0], 7)),
            "the latest reading is the snapshot the schedule pointed at"
        );
    }
}
