//! The aggregates' totals are `numeric`: sums of readings exact at any size.
//! The migration that widened them from `bigint` keeps every value.

mod support;

use chrono::TimeDelta;
use socialsync_core::domain::ScopeKind;
use socialsync_core::ids::BrandId;
use socialsync_core::metrics::{AggregateHour, Metric, Metrics};
use socialsync_core::report::{BucketSize, ReportQuery};
use socialsync_core::store::NextScan;
use socialsync_core::store::PostCatalog;
use socialsync_core::store::ReportStore;
use socialsync_core::store::TrackingStore;
use socialsync_store_postgres::{MIGRATOR, PgStore};
use socialsync_testkit::fixtures::{attributed, connect, creator, hours, post, scan, scope};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// The migration that turned the totals into `numeric`.
const WIDENED: i64 = 20261210000001;

/// A totals array with views `v` and likes `l` (the rest 0).
fn totals(v: i64, l: i64) -> Vec<i64> {
    let mut t = vec![0; Metric::COUNT];
    t[Metric::Views.index()] = v;
    t[Metric::Likes.index()] = l;
    t
}

pg_test! {
    unmigrated
    /// Totals written as `bigint` before the migration, the type's limits
    /// included, read back unchanged after it; a report then sums them
    /// exactly beyond the `bigint` range, and a scan adds into a converted
    /// row.
    async fn bigint_totals_widen_to_numeric_without_loss(
        options: PgPoolOptions,
        connect_options: PgConnectOptions,
    ) {
        let pool = options
            .max_connections(2)
            .connect_with(connect_options)
            .await
            .unwrap();
        let (before, after): (Vec<_>, Vec<_>) =
            MIGRATOR.migrations.iter().partition(|m| m.version < WIDENED);
        assert!(after.iter().any(|m| m.version == WIDENED));
        for m in &before {
            sqlx::raw_sql(&m.sql).execute(&pool).await.unwrap();
        }
        sqlx::query("INSERT INTO brands (name, created_at) VALUES ('Acme', now())")
            .execute(&pool)
            .await
            .unwrap();
        let hour = |n: i64| AggregateHour::of(hours(n)).0;
        // Brand 1's series (kind 2), and a scope's (kind 1).
        let rows: Vec<(i16, i64, i64, Vec<i64>)> = vec![
            (2, 1, hour(-2), totals(i64::MAX, i64::MIN)),
            (2, 1, hour(0), totals(i64::MAX, 7)),
            (2, 1, hour(1), totals(-5, 0)),
            (1, 9, hour(0), totals(i64::MIN, i64::MAX)),
        ];
        for (kind, key, h, t) in &rows {
            sqlx::query("INSERT INTO aggregates (kind, key, hour, totals) VALUES ($1, $2, $3, $4)")
                .bind(kind)
                .bind(key)
                .bind(h)
                .bind(t)
                .execute(&pool)
                .await
                .unwrap();
        }
        for m in &after {
            sqlx::raw_sql(&m.sql).execute(&pool).await.unwrap();
        }
        let kept: Vec<(i16, i64, i64, Vec<String>)> = sqlx::query_as(
            "SELECT kind, key, hour, totals::text[] FROM aggregates ORDER BY kind DESC, key, hour",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let written: Vec<(i16, i64, i64, Vec<String>)> = rows
            .iter()
            .map(|(k, key, h, t)| (*k, *key, *h, t.iter().map(i64::to_string).collect()))
            .collect();
        assert_eq!(kept, written, "every total kept as it was");

        let store = PgStore::new(pool, support::test_keys());
        let query = ReportQuery {
            brand: BrandId(1),
            scope: None,
            from: hours(0),
            to: hours(2),
            bucket: BucketSize::Hour,
        };
        let big = i128::from(i64::MAX);
        let min = i128::from(i64::MIN);
        let series = |r: &socialsync_core::report::ReportInputs| -> Vec<(i128, i128)> {
            r.boundaries
                .iter()
                .map(|(_, t)| (t[Metric::Views.index()], t[Metric::Likes.index()]))
                .collect()
        };
        let r = store.report_inputs(query).await.unwrap();
        assert_eq!(
            series(&r),
            [(big, min), (2 * big, min + 7), (2 * big - 5, min + 7)],
            "(views, likes) as of 00:00, 01:00 and 02:00, beyond bigint"
        );

        // A scan in the hour of a converted row adds into it.
        let brand = store.get_brand(BrandId(1)).await.unwrap().expect("brand");
        let ana = creator(&store, "Ana").await;
        let program = scope(&store, &brand, "Program", &["brandx"], &[ana.id], ScopeKind::Program).await;
        let conn = connect(&store, ana.id, socialsync_core::platform::Platform::Instagram, "ig").await;
        let up = store
            .upsert_posts(vec![post(&conn, "p1", hours(-5), vec![attributed(&program, "brandx")])], hours(0))
            .await
            .unwrap();
        let at = hours(1) + TimeDelta::minutes(10);
        let reading = Metrics::new().with(Metric::Views, 100).with(Metric::Likes, 3);
        scan(&store, up[0].id, at, reading, NextScan::At(hours(2))).await;
        let r = store.report_inputs(query).await.unwrap();
        assert_eq!(
            series(&r),
            [(big, min), (2 * big, min + 7), (2 * big + 95, min + 10)],
            "the scan's change added into the converted 01:00 row"
        );
        let scope_series = store
            .report_inputs(ReportQuery { scope: Some(program.id), ..query })
            .await
            .unwrap();
        assert_eq!(series(&scope_series), [(0, 0), (0, 0), (100, 3)]);
    }
}
