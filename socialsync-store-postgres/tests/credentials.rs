//! Credentials at rest: sealed under the host's key, never in clear; a
//! wrong or unknown key is a clear error; keys rotate.

mod support;

use socialsync_core::credentials::Credentials;
use socialsync_core::error::StoreError;
use socialsync_core::platform::Platform;
use socialsync_core::store::ConnectionStore;
use socialsync_core::store::CredentialStore;
use socialsync_core::store::NewConnection;
use socialsync_store_postgres::{CredentialKeys, PgStore};
use socialsync_testkit::fixtures::{creator, t0};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

const ACCESS: &str = "access-TOKEN-7f3a9c";
const REFRESH: &str = "refresh-TOKEN-b81e44";

async fn connected(store: &PgStore) -> socialsync_core::ids::ConnectionId {
    let ana = creator(store, "Ana").await;
    let new = NewConnection {
        creator: ana.id,
        platform: Platform::TikTok,
        account_id: "tt-ana".into(),
        handle: "@ana".into(),
        credentials: Credentials::new(ACCESS).with_refresh_token(REFRESH),
    };
    store.connect(new, t0()).await.unwrap().connection.id
}

async fn raw(store: &PgStore, id: socialsync_core::ids::ConnectionId) -> (Vec<u8>, String) {
    sqlx::query_as("SELECT credentials, credentials_key FROM connections WHERE id = $1")
        .bind(id.0)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

pg_test! {
    async fn raw_column_never_holds_a_token(options: PgPoolOptions, connect: PgConnectOptions) {
        let store = support::store(options, connect).await;
        let id = connected(&store).await;
        let (sealed, key) = raw(&store, id).await;
        assert_eq!(key, "test-key-1");
        for secret in [ACCESS, REFRESH, "TOKEN"] {
            assert!(!holds(&sealed, secret), "the column holds {secret} in clear");
        }
        // The whole row, as text, holds no token either.
        let row: String = sqlx::query_scalar("SELECT c::text FROM connections c WHERE id = $1")
            .bind(id.0)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(!row.contains("TOKEN"));
        let back = store.get_credentials(id).await.unwrap().unwrap();
        assert_eq!(back.credentials.access_token(), ACCESS);
        assert_eq!(back.credentials.refresh_token(), Some(REFRESH));
        // A swap seals afresh: a new nonce, still no clear text.
        let v = store
            .swap_credentials(id, back.version, Credentials::new(ACCESS).with_refresh_token(REFRESH))
            .await
            .unwrap();
        let (resealed, _) = raw(&store, id).await;
        assert_ne!(resealed, sealed, "a fresh nonce per value");
        assert_eq!(store.get_credentials(id).await.unwrap().unwrap().version, v);
    }
}

pg_test! {
    async fn wrong_or_unknown_key_is_a_clear_error(options: PgPoolOptions, connect: PgConnectOptions) {
        let store = support::store(options, connect).await;
        let id = connected(&store).await;
        let wrong = PgStore::new(store.pool().clone(), CredentialKeys::new("test-key-1", [0x11; 32]));
        match wrong.get_credentials(id).await {
            Err(StoreError::Corrupt(msg)) => {
                assert!(msg.contains("test-key-1") && msg.contains("wrong key"), "{msg}");
                assert!(!msg.contains("TOKEN"));
            }
            other => panic!("expected a wrong-key error, got {other:?}"),
        }
        let unknown = PgStore::new(store.pool().clone(), CredentialKeys::new("test-key-2", [0x5a; 32]));
        match unknown.get_credentials(id).await {
            Err(e @ StoreError::Corrupt(_)) => {
                assert!(!e.is_retryable());
                assert!(e.to_string().contains("does not hold"), "{e}");
            }
            other => panic!("expected an unknown-key error, got {other:?}"),
        }
    }
}

pg_test! {
    async fn keys_rotate_with_the_old_key_kept_for_reading(options: PgPoolOptions, connect: PgConnectOptions) {
        let store = support::store(options, connect).await;
        let id = connected(&store).await;
        let rotated = PgStore::new(
            store.pool().clone(),
            CredentialKeys::new("test-key-2", [0x77; 32]).with_old_key("test-key-1", [0x5a; 32]),
        );
        let c = rotated.get_credentials(id).await.unwrap().unwrap();
        assert_eq!(c.credentials.access_token(), ACCESS);
        assert_eq!(rotated.reseal_credentials().await.unwrap(), 1);
        assert_eq!(raw(&store, id).await.1, "test-key-2");
        let only_new = PgStore::new(store.pool().clone(), CredentialKeys::new("test-key-2", [0x77; 32]));
        let c = only_new.get_credentials(id).await.unwrap().unwrap();
        assert_eq!(c.credentials.refresh_token(), Some(REFRESH));
        assert!(matches!(store.get_credentials(id).await, Err(StoreError::Corrupt(_))));
    }
}
