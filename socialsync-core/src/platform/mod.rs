//! The platforms socialsync reads: [`Platform`] names one,
//! [`SocialPlatform`] is what the engine asks of it, and
//! [`PlatformError`] is the shared vocabulary adapters translate each
//! platform's failures into.

mod api;
mod error;

pub use api::*;
pub use error::*;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A social platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Platform {
    /// Instagram (professional accounts).
    Instagram,
    /// TikTok.
    #[serde(rename = "tiktok")]
    TikTok,
    /// YouTube.
    #[serde(rename = "youtube")]
    YouTube,
}

impl Platform {
    /// All platforms, in a fixed order.
    pub const ALL: [Platform; 3] = [Platform::Instagram, Platform::TikTok, Platform::YouTube];

    /// The stable lowercase name (`instagram`, `tiktok`, `youtube`).
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Instagram => "instagram",
            Platform::TikTok => "tiktok",
            Platform::YouTube => "youtube",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string did not name a platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown platform `{0}` (expected instagram, tiktok or youtube)")]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "instagram" => Ok(Platform::Instagram),
            "tiktok" => Ok(Platform::TikTok),
            "youtube" => Ok(Platform::YouTube),
            other => Err(UnknownPlatform(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert!("myspace".parse::<Platform>().is_err());
    }
}
