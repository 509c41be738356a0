//! The read scopes the sandbox checks, spelled as each platform spells them.

/// Instagram: profile and media (`instagram_business_basic`).
pub const INSTAGRAM_BASIC: &str = "instagram_business_basic";
/// Instagram: media insights (`instagram_business_manage_insights`).
pub const INSTAGRAM_INSIGHTS: &str = "instagram_business_manage_insights";
/// TikTok: `open_id`, avatar, display name.
pub const TIKTOK_USER_INFO: &str = "user.info.basic";
/// TikTok: username, bio, verification.
pub const TIKTOK_USER_PROFILE: &str = "user.info.profile";
/// TikTok: follower and like counts.
pub const TIKTOK_USER_STATS: &str = "user.info.stats";
/// TikTok: the user's public videos.
pub const TIKTOK_VIDEO_LIST: &str = "video.list";
/// YouTube: read-only access.
pub const YOUTUBE_READONLY: &str = "https://www.googleapis.com/auth/youtube.readonly";
/// YouTube: full access (also reads).
pub const YOUTUBE: &str = "https://www.googleapis.com/auth/youtube";
/// YouTube: full access over SSL (also reads).
pub const YOUTUBE_FORCE_SSL: &str = "https://www.googleapis.com/auth/youtube.force-ssl";
