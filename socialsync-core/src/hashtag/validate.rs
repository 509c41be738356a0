use super::HashtagKey;
use serde::{Deserialize, Serialize};
/// Problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum HashtagProblem {
    /// Empty.
    Empty,
    /// No letter.
    NoLetter,
    /// Invalid char.
    InvalidCharacter {
        /// The char.
        ch: char,
    },
    /// Empty key.
    EmptyKey,
}
/// Invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid hashtag `{input}`: {problem:?}")]
pub struct InvalidHashtag {
    /// Input.
    pub input: String,
    /// Problem.
    pub problem: HashtagProblem,
}
/// Tracked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedHashtag {
    written: String,
    key: HashtagKey,
}
impl TrackedHashtag {
    /// Parse.
    pub fn parse(input: &str) -> Result<TrackedHashtag, InvalidHashtag> {
        let t = input.trim();
        let t = t.strip_prefix('#').unwrap_or(t);
        let err = |problem| InvalidHashtag {
            input: input.to_owned(),
            problem,
        };
        if t.is_empty() {
            return Err(err(HashtagProblem::Empty));
        }
        if let Some(ch) = t.chars().find(|c| !(c.is_alphanumeric() || *c == '_')) {
            return Err(err(HashtagProblem::InvalidCharacter { ch }));
        }
        if !t.chars().any(char::is_alphabetic) {
            return Err(err(HashtagProblem::NoLetter));
        }
        let key = HashtagKey::of(t).ok_or_else(|| err(HashtagProblem::EmptyKey))?;
        Ok(TrackedHashtag {
            written: t.to_owned(),
            key,
        })
    }
    /// Written.
    pub fn written(&self) -> &str {
        &self.written
    }
    /// Key.
    pub fn key(&self) -> &HashtagKey {
        &self.key
    }
}
