//! YouTube keyword tags (the video's hidden `tags`), counted as hashtags only
//! where a scope opts in (ARCHITECTURE.md §3).

use super::key::HashtagKey;
use super::validate::TrackedHashtag;

/// The key of a YouTube keyword tag, when it counts as a hashtag: trimmed
/// and stripped of one `#` (or `＃`), it must be a valid hashtag on its own.
///
/// ```
/// use socialsync_core::hashtag::{HashtagKey, keyword_tag_key};
///
/// assert_eq!(keyword_tag_key("#BrandX"), HashtagKey::of("brandx"));
/// assert_eq!(keyword_tag_key(" BrandX "), HashtagKey::of("brandx"));
/// assert_eq!(keyword_tag_key("brand x"), None);
/// ```
#[must_use]
pub fn keyword_tag_key(tag: &str) -> Option<HashtagKey> {
    TrackedHashtag::parse(tag)
        .ok()
        .map(|tracked| tracked.key().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyword_that_is_a_hashtag_counts() {
        assert_eq!(keyword_tag_key("#BrandX").unwrap().as_str(), "brandx");
        assert_eq!(keyword_tag_key("BrandX").unwrap().as_str(), "brandx");
        assert_eq!(keyword_tag_key("  ＃BRANDX ").unwrap().as_str(), "brandx");
        assert_eq!(keyword_tag_key("日本語").unwrap().as_str(), "日本語");
    }

    #[test]
    fn a_keyword_that_is_no_hashtag_does_not() {
        for tag in [
            "brand x",
            "",
            "#",
            "2025",
            "Coca-Cola",
            "##BrandX",
            "#\u{3164}",
        ] {
            assert_eq!(keyword_tag_key(tag), None, "{tag:?}");
        }
    }

    #[test]
    fn only_whole_keywords_match() {
        assert_ne!(keyword_tag_key("BrandXmas"), keyword_tag_key("BrandX"));
    }
}
