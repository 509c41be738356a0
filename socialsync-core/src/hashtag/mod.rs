//! Hashtags: extraction (twitter-text rules), match keys, validation of
//! tracked hashtags, and YouTube keyword tags (ARCHITECTURE.md §3).
//!
//! ```
//! use socialsync_core::hashtag::{extract_hashtags, HashtagKey, TrackedHashtag};
//!
//! let tags = extract_hashtags("New drop! #BrandX #ad https://brandx.com/#nope");
//! assert_eq!(tags.iter().map(|t| t.text).collect::<Vec<_>>(), ["BrandX", "ad"]);
//! let tracked = TrackedHashtag::parse("#brandx").unwrap();
//! assert_eq!(HashtagKey::of(tags[0].text).as_ref(), Some(tracked.key()));
//! ```

mod chars;
mod extract;
mod key;
mod keywords;
mod tlds;
mod url;
mod validate;

pub use extract::{Hashtag, extract_hashtags};
pub use key::HashtagKey;
pub use keywords::keyword_tag_key;
pub use validate::{HashtagProblem, InvalidHashtag, TrackedHashtag};
