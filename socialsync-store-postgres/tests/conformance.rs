//! The store conformance suite on `PgStore`: one test per behaviour, each on
//! its own freshly migrated database.

mod support;

socialsync_testkit::store_conformance_tests!(
    wrap = pg_test,
    (options: sqlx::postgres::PgPoolOptions, connect: sqlx::postgres::PgConnectOptions) =>
        support::store(options, connect)
);
