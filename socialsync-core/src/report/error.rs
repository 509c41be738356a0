//! [`ReportError`]: why a report could not be made.

use crate::error::StoreError;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The range asked for is not one a report can cover: empty or reversed,
    /// not aligned to its buckets, or too many buckets. Not retryable: fix
    /// the request.
    #[error("invalid report range: {0}")]
    InvalidRange(String),
    /// The brand or scope does not exist, or the scope belongs to another
    /// brand (never someone else's data). Not retryable.
    #[error("{entity} {id} not found")]
    NotFound {
        /// What kind of entity.
        entity: &'static str,
        /// Which one.
        id: String,
    },
    /// The store failed; [`ReportError::is_retryable`] says whether trying
    /// again later may succeed.
    #[error(transparent)]
    Store(StoreError),
}

impl ReportError {
    /// Whether trying again later may succeed (only a store that is
    /// unavailable for now).
    pub fn is_retryable(&self) -> bool {
        matches!(self, ReportError::Store(e) if e.is_retryable())
    }

    /// Whether this is a `NotFound`.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReportError::NotFound { .. })
    }
}

impl From<StoreError> for ReportError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => ReportError::NotFound { entity, id },
            other => ReportError::Store(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_not_found_becomes_report_not_found() {
        let e = ReportError::from(StoreError::not_found("scope", "scope-3"));
        assert!(e.is_not_found());
        assert!(!e.is_retryable());
        let e = ReportError::from(StoreError::Conflict("x".into()));
        assert!(matches!(e, ReportError::Store(StoreError::Conflict(_))));
    }
}
