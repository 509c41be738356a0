//! Tracked hashtags (ARCHITECTURE.md §3): validated when a brand configures
//! them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::chars::{char_at, is_hashtag_alnum, is_hashtag_alpha};
use super::key::{HashtagKey, strip_sign};

/// A hashtag a brand tracks: as the brand wrote it, and its match key.
///
/// Only hashtags that extraction can find are accepted, so a tracked hashtag
/// can always match.
///
/// ```
/// use socialsync_core::hashtag::{HashtagProblem, TrackedHashtag};
///
/// let tag = TrackedHashtag::parse(" #BrandX ").unwrap();
/// assert_eq!(tag.written(), "BrandX");
/// assert_eq!(tag.key().as_str(), "brandx");
///
/// let err = TrackedHashtag::parse("Coca-Cola").unwrap_err();
/// assert_eq!(err.problem, HashtagProblem::InvalidCharacter { ch: '-' });
/// assert_eq!(err.to_string(), "`Coca-Cola` can never match: `-` ends a hashtag");
/// ```
///
/// It serializes as `{"written": "BrandX", "key": "brandx"}`; deserializing
/// validates `written` again and recomputes the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WrittenHashtag")]
pub struct TrackedHashtag {
    written: String,
    key: HashtagKey,
}

/// What a serialized [`TrackedHashtag`] is read from.
#[derive(Deserialize)]
struct WrittenHashtag {
    written: String,
}

impl TryFrom<WrittenHashtag> for TrackedHashtag {
    type Error = InvalidHashtag;

    fn try_from(value: WrittenHashtag) -> Result<Self, Self::Error> {
        TrackedHashtag::parse(&value.written)
    }
}

impl TrackedHashtag {
    /// Validates a hashtag to track. Surrounding white space is trimmed and
    /// one leading `#` or `＃` is optional. The hashtag is accepted when,
    /// written with a sign, extraction finds exactly one hashtag covering all
    /// of it, and its key is not empty.
    ///
    /// # Errors
    ///
    /// [`InvalidHashtag`] saying why the hashtag could never match.
    pub fn parse(input: &str) -> Result<TrackedHashtag, InvalidHashtag> {
        let invalid = |problem| InvalidHashtag {
            input: input.to_owned(),
            problem,
        };
        let body = strip_sign(input.trim());
        if body.is_empty() {
            return Err(invalid(HashtagProblem::Empty));
        }
        if let Some(problem) = body_problem(body) {
            return Err(invalid(problem));
        }
        let key = HashtagKey::of(body).ok_or_else(|| invalid(HashtagProblem::EmptyKey))?;
        Ok(TrackedHashtag {
            written: body.to_owned(),
            key,
        })
    }

    /// The hashtag as the brand wrote it, without the sign.
    #[must_use]
    pub fn written(&self) -> &str {
        &self.written
    }

    /// The key it matches by.
    #[must_use]
    pub fn key(&self) -> &HashtagKey {
        &self.key
    }
}

impl fmt::Display for TrackedHashtag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.written)
    }
}

/// Why `#body` (sign already stripped) is not exactly one hashtag, if it is
/// not. Agrees with extraction (checked in the tests).
fn body_problem(body: &str) -> Option<HashtagProblem> {
    // `(?!\uFE0F|\u20E3)` right after the sign.
    if let Some(ch @ ('\u{FE0F}' | '\u{20E3}')) = char_at(body, 0) {
        return Some(HashtagProblem::InvalidCharacter { ch });
    }
    let mut has_letter = false;
    for ch in body.chars() {
        if !is_hashtag_alnum(ch) {
            return Some(HashtagProblem::InvalidCharacter { ch });
        }
        has_letter = has_letter || is_hashtag_alpha(ch);
    }
    (!has_letter).then_some(HashtagProblem::NoLetter)
}

/// Whether `text` (sign included) is exactly one hashtag, as twitter-text's
/// `isValidHashtag`: extraction finds one hashtag, the text without its first
/// char.
#[cfg(test)]
pub(crate) fn is_valid_hashtag(text: &str) -> bool {
    let tags = super::extract::extract_hashtags(text);
    let rest = text.chars().next().map_or("", |c| &text[c.len_utf8()..]);
    !text.is_empty() && tags.len() == 1 && tags[0].text == rest
}

/// A hashtag that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("`{input}` {problem}")]
pub struct InvalidHashtag {
    /// The input as given.
    pub input: String,
    /// Why it can never match.
    pub problem: HashtagProblem,
}

/// Why a hashtag can never match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum HashtagProblem {
    /// Nothing, or only a sign.
    Empty,
    /// Only digits, `_` and joiners: a hashtag needs a letter (`2025`).
    NoLetter,
    /// A char that ends a hashtag (`-` in `Coca-Cola`, `&` in `M&M`, a space).
    InvalidCharacter {
        /// The offending char.
        ch: char,
    },
    /// Only invisible chars, so the match key is empty (`#\u{3164}`).
    EmptyKey,
}

impl fmt::Display for HashtagProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HashtagProblem::Empty => f.write_str("is empty: a hashtag needs at least one letter"),
            HashtagProblem::NoLetter => {
                f.write_str("can never match: a hashtag needs at least one letter")
            }
            HashtagProblem::InvalidCharacter { ch } if ch.is_whitespace() => {
                write!(f, "can never match: a space ({:?}) ends a hashtag", ch)
            }
            HashtagProblem::InvalidCharacter { ch } if ch.is_control() || is_invisible(*ch) => {
                write!(f, "can never match: {:?} ends a hashtag", ch)
            }
            HashtagProblem::InvalidCharacter { ch } => {
                write!(f, "can never match: `{ch}` ends a hashtag")
            }
            HashtagProblem::EmptyKey => {
                f.write_str("can never match: it has no visible letter (its match key is empty)")
            }
        }
    }
}

/// Marks and format chars that would print as nothing between backticks.
fn is_invisible(ch: char) -> bool {
    matches!(ch, '\u{FE0F}' | '\u{20E3}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(input: &str) -> HashtagProblem {
        TrackedHashtag::parse(input).unwrap_err().problem
    }

    #[test]
    fn accepts_with_or_without_a_sign_and_trims() {
        for input in ["BrandX", "#BrandX", "＃BrandX", "  #BrandX\t", "#brandx"] {
            let tag = TrackedHashtag::parse(input).unwrap();
            assert_eq!(tag.key().as_str(), "brandx", "{input}");
        }
        assert_eq!(
            TrackedHashtag::parse("#BrandX").unwrap().written(),
            "BrandX"
        );
        assert_eq!(TrackedHashtag::parse("#1st").unwrap().written(), "1st");
        assert_eq!(TrackedHashtag::parse("#café").unwrap().written(), "café");
    }

    #[test]
    fn refuses_empty_and_sign_only() {
        assert_eq!(problem(""), HashtagProblem::Empty);
        assert_eq!(problem("   "), HashtagProblem::Empty);
        assert_eq!(problem("#"), HashtagProblem::Empty);
        assert_eq!(problem("＃"), HashtagProblem::Empty);
    }

    #[test]
    fn refuses_digits_only() {
        assert_eq!(problem("2025"), HashtagProblem::NoLetter);
        assert_eq!(problem("#_1"), HashtagProblem::NoLetter);
    }

    #[test]
    fn refuses_chars_that_end_a_hashtag() {
        assert_eq!(
            problem("Coca-Cola"),
            HashtagProblem::InvalidCharacter { ch: '-' }
        );
        assert_eq!(problem("M&M"), HashtagProblem::InvalidCharacter { ch: '&' });
        assert_eq!(
            problem("brand x"),
            HashtagProblem::InvalidCharacter { ch: ' ' }
        );
        assert_eq!(
            problem("##tag"),
            HashtagProblem::InvalidCharacter { ch: '#' }
        );
        assert_eq!(
            problem("tag😀"),
            HashtagProblem::InvalidCharacter { ch: '😀' }
        );
        assert_eq!(
            problem("#\u{FE0F}tag"),
            HashtagProblem::InvalidCharacter { ch: '\u{FE0F}' }
        );
    }

    #[test]
    fn refuses_an_empty_key() {
        assert_eq!(problem("#\u{3164}"), HashtagProblem::EmptyKey);
    }

    #[test]
    fn messages_say_why() {
        let err = TrackedHashtag::parse("Coca-Cola").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`Coca-Cola` can never match: `-` ends a hashtag"
        );
        let err = TrackedHashtag::parse("2025").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`2025` can never match: a hashtag needs at least one letter"
        );
        let err = TrackedHashtag::parse("brand x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`brand x` can never match: a space (' ') ends a hashtag"
        );
        let err = TrackedHashtag::parse("#").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`#` is empty: a hashtag needs at least one letter"
        );
        let err = TrackedHashtag::parse("#\u{3164}").unwrap_err();
        assert!(err.to_string().contains("match key is empty"));
    }

    #[test]
    fn parse_agrees_with_extraction() {
        let inputs = [
            "BrandX",
            "2025",
            "Coca-Cola",
            "M&M",
            "a b",
            "#a#b",
            "tag\u{FE0F}",
            "\u{FE0F}x",
            "\u{20E3}x",
            "x\u{20E3}",
            "a://",
            "a.com",
            "日本語",
            "_",
            "a_",
            "·a",
            "x.y",
        ];
        for input in inputs {
            let body = strip_sign(input);
            let by_extraction = is_valid_hashtag(&format!("#{body}"));
            assert_eq!(body_problem(body).is_none(), by_extraction, "{input:?}");
        }
    }

    #[test]
    fn round_trips_through_json() {
        let tag = TrackedHashtag::parse("#BrandX").unwrap();
        let json = serde_json::to_string(&tag).unwrap();
        assert_eq!(json, r#"{"written":"BrandX","key":"brandx"}"#);
        assert_eq!(serde_json::from_str::<TrackedHashtag>(&json).unwrap(), tag);
        // The key is recomputed, and an invalid hashtag is refused.
        let stale = r#"{"written":"BrandX","key":"other"}"#;
        assert_eq!(serde_json::from_str::<TrackedHashtag>(stale).unwrap(), tag);
        let invalid = r#"{"written":"Coca-Cola","key":"coca-cola"}"#;
        let err = serde_json::from_str::<TrackedHashtag>(invalid).unwrap_err();
        assert!(err.to_string().contains("`-` ends a hashtag"), "{err}");
        let err = TrackedHashtag::parse("M&M").unwrap_err();
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(serde_json::from_str::<InvalidHashtag>(&json).unwrap(), err);
    }
}
