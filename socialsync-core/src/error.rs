//! Error vocabulary shared by stores and the tracking configuration.

use crate::hashtag::InvalidHashtag;

/// An error from a [`crate::store::PostStore`].
///
/// Backends translate their own errors into these variants at their boundary.
/// [`StoreError::is_retryable`] says whether trying again later may succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The entity does not exist (or belongs to another brand). Not retryable.
    #[error("{entity} {id} not found")]
    NotFound {
        /// What kind of entity.
        entity: &'static str,
        /// Which one.
        id: String,
    },
    /// A compare-and-set lost: someone changed the value first (a stale
    /// credentials version, a unique key taken). Not retryable as is: read again.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The lease token presented is no longer the current claim: another
    /// worker claimed the post since. The write was refused. Not retryable.
    #[error("lease lost: the claim was taken over by a later one")]
    LeaseLost,
    /// The operation is not allowed in the entity's current state (resetting
    /// an active connection). Not retryable.
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// The input breaks an invariant the store enforces. Not retryable.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The backend is unavailable for now (pool timeout, I/O). Retryable.
    #[error("store unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Stored data could not be read back (corrupt, or a wrong encryption
    /// key). Not retryable.
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
    /// Any other backend failure, with its source. Not retryable.
    #[error("store backend error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }

    /// A `NotFound` for `entity` `id`.
    pub fn not_found(entity: &'static str, id: impl ToString) -> StoreError {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    /// Whether this is a `NotFound`.
    pub fn is_not_found(&self) -> bool {
        matches!(self, StoreError::NotFound { .. })
    }
}

/// The result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Tracking configuration refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A tracked hashtag can never match.
    #[error(transparent)]
    InvalidHashtag(#[from] InvalidHashtag),
    /// A scope needs at least one hashtag.
    #[error("a scope needs at least one hashtag")]
    NoHashtags,
    /// The campaign window ends at or before it starts.
    #[error("campaign window ends ({ends_at}) at or before it starts ({starts_at})")]
    InvalidWindow {
        /// The start given.
        starts_at: crate::clock::Timestamp,
        /// The end given.
        ends_at: crate::clock::Timestamp,
    },
    /// A name is empty.
    #[error("{0} name is empty")]
    EmptyName(&'static str),
    /// The brand, scope or creator does not exist (or the scope belongs to
    /// another brand).
    #[error("{entity} {id} not found")]
    NotFound {
        /// What kind of entity.
        entity: &'static str,
        /// Which one.
        id: String,
    },
    /// The operation does not apply to this kind of scope (a window on a program).
    #[error("{0}")]
    NotApplicable(String),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ConfigError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => ConfigError::NotFound { entity, id },
            other => ConfigError::Store(other),
        }
    }
}
