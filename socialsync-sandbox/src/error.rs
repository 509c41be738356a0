//! The sandbox's own errors (its Rust and admin API; platform errors are
//! HTTP answers, not these).

use crate::model::{AccountRef, PostRef};

/// What went wrong driving the sandbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// No such account.
    #[error("no account {0}")]
    UnknownAccount(AccountRef),
    /// No such post.
    #[error("no post {0}")]
    UnknownPost(PostRef),
    /// The id is taken.
    #[error("id `{0}` is already used")]
    DuplicateId(String),
    /// A post must be on its account's platform.
    #[error("post platform {post} differs from account platform {account}")]
    PlatformMismatch {
        /// The account's platform.
        account: socialsync_core::platform::Platform,
        /// The post's platform.
        post: socialsync_core::platform::Platform,
    },
    /// An argument cannot be used (says why).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The listener could not be bound or served.
    #[error("sandbox server: {0}")]
    Io(#[from] std::io::Error),
}
