//! Errors at the store's boundary, from a real server: a pool timeout is
//! retryable, a unique violation is a conflict, the rest keep their source.

mod support;

use socialsync_core::error::StoreError;
use socialsync_core::ids::BrandId;
use socialsync_core::store::TrackingStore;
use socialsync_store_postgres::{PgStore, store_error};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::time::Duration;

pg_test! {
    async fn pool_timeout_is_retryable(options: PgPoolOptions, connect: PgConnectOptions) {
        let pool = options
            .max_connections(1)
            .acquire_timeout(Duration::from_millis(200))
            .connect_with(connect)
            .await
            .unwrap();
        let store = PgStore::new(pool.clone(), support::test_keys());
        let held = pool.acquire().await.unwrap();
        match store.get_brand(BrandId(1)).await {
            Err(e @ StoreError::Unavailable(_)) => assert!(e.is_retryable()),
            other => panic!("expected Unavailable, got {other:?}"),
        }
        drop(held);
        assert!(store.get_brand(BrandId(1)).await.unwrap().is_none());
    }
}

pg_test! {
    async fn unique_violation_is_a_conflict_and_others_keep_their_source(options: PgPoolOptions, connect: PgConnectOptions) {
        let store = support::store(options, connect).await;
        let insert = "INSERT INTO brands (id, name, created_at) VALUES (7, 'x', now())";
        sqlx::query(insert).execute(store.pool()).await.unwrap();
        let dup = sqlx::query(insert).execute(store.pool()).await.unwrap_err();
        let e = store_error(dup);
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        assert!(!e.is_retryable());
        let bad = sqlx::query("SELECT no_such_column FROM brands")
            .execute(store.pool())
            .await
            .unwrap_err();
        let e = store_error(bad);
        assert!(matches!(e, StoreError::Backend(_)), "{e:?}");
        assert!(std::error::Error::source(&e).is_some(), "the source is kept");
    }
}
