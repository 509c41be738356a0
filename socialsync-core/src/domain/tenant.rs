use crate::clock::Timestamp;
use crate::ids::{BrandId, CreatorId};
use serde::{Deserialize, Serialize};

/// A brand: a tenant that owns programs and campaigns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brand {
    /// Its id.
    pub id: BrandId,
    /// Its display name.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A creator: a person who may work with several brands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creator {
    /// Its id.
    pub id: CreatorId,
    /// Its display name.
    pub name: String,
    /// The host's own reference for this person, if any.
    pub external_ref: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
}
