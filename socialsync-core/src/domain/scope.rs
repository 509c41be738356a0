use crate::clock::Timestamp;
use crate::hashtag::TrackedHashtag;
use crate::ids::{BrandId, CreatorId, ScopeId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A campaign's window on post publish time: `[starts_at, ends_at)`, either
/// bound optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CampaignWindow {
    /// Posts published before this instant are outside (inclusive bound).
    pub starts_at: Option<Timestamp>,
    /// Posts published at or after this instant are outside (exclusive bound).
    pub ends_at: Option<Timestamp>,
}

impl CampaignWindow {
    /// Whether `t` lies inside `[starts_at, ends_at)`.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.starts_at.is_none_or(|s| t >= s) && self.ends_at.is_none_or(|e| t < e)
    }

    /// Whether the window can hold any instant (`ends_at` after `starts_at`).
    pub fn is_valid(&self) -> bool {
        match (self.starts_at, self.ends_at) {
            (Some(s), Some(e)) => e > s,
            _ => true,
        }
    }
}

/// What kind of scope this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScopeKind {
    /// A brand's creator program: applies to every member creator.
    Program,
    /// A campaign: applies to its creators, optionally within a window.
    Campaign {
        /// The window on publish time, if any.
        window: Option<CampaignWindow>,
    },
}

/// Where tracking hashtags are configured: a creator program or a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Its id.
    pub id: ScopeId,
    /// The brand that owns it.
    pub brand: BrandId,
    /// Its display name.
    pub name: String,
    /// Program or campaign.
    pub kind: ScopeKind,
    /// The tracked hashtags (at least one).
    pub hashtags: Vec<TrackedHashtag>,
    /// The member creators.
    pub members: BTreeSet<CreatorId>,
    /// Whether YouTube keyword tags count as hashtags for this scope.
    pub match_keyword_tags: bool,
    /// When it was created.
    pub created_at: Timestamp,
}

impl Scope {
    /// The campaign window, if this is a campaign that has one.
    pub fn window(&self) -> Option<&CampaignWindow> {
        match &self.kind {
            ScopeKind::Campaign { window } => window.as_ref(),
            ScopeKind::Program => None,
        }
    }

    /// Whether this is a campaign.
    pub fn is_campaign(&self) -> bool {
        matches!(self.kind, ScopeKind::Campaign { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_is_half_open() {
        let s: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let e: Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
        let w = CampaignWindow {
            starts_at: Some(s),
            ends_at: Some(e),
        };
        assert!(w.contains(s));
        assert!(!w.contains(e));
        assert!(!w.contains(s - chrono::TimeDelta::microseconds(1)));
        assert!(w.contains(e - chrono::TimeDelta::microseconds(1)));
        assert!(
            !CampaignWindow {
                starts_at: Some(e),
                ends_at: Some(s)
            }
            .is_valid()
        );
        assert!(
            !CampaignWindow {
                starts_at: Some(s),
                ends_at: Some(s)
            }
            .is_valid()
        );
    }
}
