//! The store conformance suite on `PgStore`: one test per behaviour, each on
//! its own freshly migrated database.

mod support;

socialsync_testkit::store_conformance_tests!(
    wrap = pg_test,
    (options: sqlx::postgres::PgPoolOptions, connect: sqlx::postgres::PgConnectOptions) =>
        support::store(options, connect)
);

pg_test! {
    /// The PostgreSQL store prunes by age.
    async fn event_queries_skip_pruned_events(options: sqlx::postgres::PgPoolOptions, connect: sqlx::postgres::PgConnectOptions) {
        let store = std::sync::Arc::new(support::store(options, connect).await);
        let pruned = store.clone();
        socialsync_testkit::conformance::event_queries_skip_pruned_events(store, || async move {
            let before = socialsync_testkit::fixtures::hours(7);
            assert_eq!(pruned.prune_events(before).await.expect("prune"), 6);
        })
        .await;
    }
}
