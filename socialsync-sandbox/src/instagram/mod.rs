//! Instagram (Instagram API with Instagram Login, and the Facebook-Login
//! flavour's `/{ig-user-id}/media` paths): tokens, media list, media nodes,
//! insights, Meta error objects and Business Use Case throttling.

mod access;
mod errors;
mod insights;
mod media;
mod oauth;

pub(crate) use self::access::*;
pub(crate) use self::errors::*;
pub(crate) use self::insights::*;
pub(crate) use self::media::*;
pub(crate) use self::oauth::*;

use socialsync_core::platform::Platform;

/// The platform these handlers answer for.
const P: Platform = Platform::Instagram;
