//! Translation of sqlx errors into [`StoreError`] at the store's boundary.

use socialsync_core::error::StoreError;

/// SQLSTATE of a unique violation.
const UNIQUE_VIOLATION: &str = "23505";

/// Whether a SQLSTATE means "try again later": connection exceptions (class
/// 08), the server shutting down or starting (57P01..57P03), serialization
/// failures and deadlocks (class 40), too many connections (53300).
fn retryable_state(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("40")
        || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// Maps a sqlx error: pool timeout and I/O are `Unavailable` (retryable), a
/// unique violation is `Conflict`, the rest keep their source as `Backend`.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(e)),
        sqlx::Error::Database(ref d) => match d.code().as_deref() {
            Some(UNIQUE_VIOLATION) => StoreError::Conflict(d.message().to_owned()),
            Some(code) if retryable_state(code) => StoreError::Unavailable(Box::new(e)),
            _ => StoreError::Backend(Box::new(e)),
        },
        other => StoreError::Backend(Box::new(other)),
    }
}

/// A stored value that does not decode.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_timeout_and_io_are_retryable() {
        assert!(db(sqlx::Error::PoolTimedOut).is_retryable());
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert!(db(sqlx::Error::Io(io)).is_retryable());
        assert!(!db(sqlx::Error::RowNotFound).is_retryable());
        assert!(matches!(
            db(sqlx::Error::RowNotFound),
            StoreError::Backend(_)
        ));
    }

    #[test]
    fn sqlstates_are_classified() {
        assert!(retryable_state("08006"));
        assert!(retryable_state("57P01"));
        assert!(retryable_state("40001"));
        assert!(!retryable_state("23505"));
        assert!(!retryable_state("42P01"));
    }
}
