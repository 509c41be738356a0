//! Typed identifiers.
//!
//! Store-assigned ids are 64-bit integers wrapped in one type per entity, so a
//! creator id can never be passed where a scope id is expected. Platform ids
//! (posts, accounts) are strings: Instagram and TikTok ids exceed 2^53.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

macro_rules! int_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw integer.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

int_id!(
    /// A brand (tenant).
    BrandId,
    "brand-"
);
int_id!(
    /// A creator.
    CreatorId,
    "creator-"
);
int_id!(
    /// A creator's connection to one platform account.
    ConnectionId,
    "connection-"
);
int_id!(
    /// A creator program or a campaign.
    ScopeId,
    "scope-"
);
int_id!(
    /// A post, as stored (the natural key is platform + platform post id).
    PostId,
    "post-"
);
int_id!(
    /// One disconnection of one connection: the host's reconnect notifier is
    /// keyed by it so it can de-duplicate.
    DisconnectionId,
    "disconnection-"
);
int_id!(
    /// A stored event; ids grow in publication order.
    EventId,
    "event-"
);

/// A lease token: every claim gets a fresh one and writes present it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeaseToken(pub u128);

impl fmt::Display for LeaseToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lease-{:032x}", self.0)
    }
}

macro_rules! str_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Shared, immutable text: cloning it is a reference-count increment.
        #[derive(Debug, Clone, Eq, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Arc<str>);

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state);
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                // Clones of one id share their text: compare pointers first.
                Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
            }
        }

        impl $name {
            /// Wraps a platform id.
            pub fn new(id: impl AsRef<str>) -> Self {
                Self(Arc::from(id.as_ref()))
            }

            /// The id as the platform wrote it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(Arc::from(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(Arc::from(s))
            }
        }
    };
}

str_id!(
    /// A post's id on its platform (Instagram media id, TikTok video id,
    /// YouTube video id).
    PlatformPostId
);
str_id!(
    /// An account's id on its platform (Instagram user id, TikTok open_id,
    /// YouTube channel id).
    PlatformAccountId
);
