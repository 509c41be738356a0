//! What the PostgreSQL tests share: the database guard, a fresh migrated
//! database per test (sqlx's test support), small pools, test keys.

#![allow(dead_code, unreachable_pub)]

pub mod cluster;

use socialsync_store_postgres::{CredentialKeys, PgStore};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// Connections per test pool: parallel tests stay well under the server's limit.
pub const POOL_SIZE: u32 = 3;

/// Whether the database tests can run: `DATABASE_URL` is set. Without it
/// they are skipped, except under `CI=true`, where that is a failure.
pub fn database_configured() -> bool {
    if std::env::var_os("DATABASE_URL").is_some() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("DATABASE_URL must be set for the PostgreSQL tests under CI");
    }
    eprintln!("skipped: DATABASE_URL is not set");
    false
}

/// The keyring the tests seal credentials with.
pub fn test_keys() -> CredentialKeys {
    CredentialKeys::new("test-key-1", [0x5a; 32])
}

/// A store over a small pool of the test's own database.
pub async fn store(options: PgPoolOptions, connect: PgConnectOptions) -> PgStore {
    store_with(options, connect, POOL_SIZE).await
}

/// A store over a pool of `size` connections of the test's own database.
pub async fn store_with(options: PgPoolOptions, connect: PgConnectOptions, size: u32) -> PgStore {
    let pool = options
        .max_connections(size)
        .connect_with(connect)
        .await
        .expect("connect to the test database");
    PgStore::new(pool, test_keys())
}

/// Turns `async fn name(options: PgPoolOptions, connect: PgConnectOptions)
/// { .. }` into a test on a freshly created, migrated database: what
/// `#[sqlx::test(migrator = ..)]` expands to, behind [`database_configured`].
#[macro_export]
macro_rules! pg_test {
    // A database with no schema yet, for tests of the migrations themselves.
    (unmigrated $(#[$attr:meta])* async fn $name:ident $params:tt $body:block) => {
        $crate::pg_test!(@on None, $(#[$attr])* async fn $name $params $body);
    };
    ($(#[$attr:meta])* async fn $name:ident $params:tt $body:block) => {
        $crate::pg_test!(
            @on Some(&::socialsync_store_postgres::MIGRATOR),
            $(#[$attr])* async fn $name $params $body
        );
    };
    (@on $migrator:expr, $(#[$attr:meta])* async fn $name:ident $params:tt $body:block) => {
        $(#[$attr])*
        #[test]
        fn $name() {
            async fn inner $params $body
            if !$crate::support::database_configured() {
                return;
            }
            let mut args = ::sqlx::testing::TestArgs::new(concat!(
                module_path!(),
                "::",
                stringify!($name)
            ));
            let migrator: Option<&'static ::sqlx::migrate::Migrator> = $migrator;
            if let Some(m) = migrator {
                args.migrator(m);
            }
            let f: fn(
                ::sqlx::postgres::PgPoolOptions,
                ::sqlx::postgres::PgConnectOptions,
            ) -> _ = inner;
            ::sqlx::testing::TestFn::run_test(f, args)
        }
    };
}
