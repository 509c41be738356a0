//! YouTube (Data API v3) and Google OAuth: channels, the uploads playlist
//! with page tokens, `videos.list` batches of 50 with statistics as JSON
//! strings, `videos:batchGetStats`, the daily unit quota and Google's
//! error envelope.

mod access;
mod errors;
mod listing;
mod oauth;
mod videos;

pub(crate) use self::access::*;
pub(crate) use self::errors::*;
pub(crate) use self::listing::*;
pub(crate) use self::oauth::*;
pub(crate) use self::videos::*;

use socialsync_core::platform::Platform;

/// The platform these handlers answer for.
const P: Platform = Platform::YouTube;

/// The most ids `videos.list` takes, and the largest `maxResults`.
pub(crate) const MAX_BATCH: usize = 50;
