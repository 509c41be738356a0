//! Keys (temporary stand-in).
use serde::{Deserialize, Serialize};

/// A match key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HashtagKey(String);

impl HashtagKey {
    /// The key of a tag.
    pub fn of(tag: &str) -> Option<HashtagKey> {
        let k = tag.trim_start_matches('#').to_lowercase();
        (!k.is_empty()).then_some(HashtagKey(k))
    }
    /// As str.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
