//! Extraction (temporary stand-in).

/// A hashtag found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hashtag<'a> {
    /// The tag without the sign.
    pub text: &'a str,
    /// Byte offset of the sign.
    pub start: usize,
    /// Byte offset after the tag.
    pub end: usize,
}

/// Extracts hashtags.
pub fn extract_hashtags(text: &str) -> Vec<Hashtag<'_>> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'#' && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let s = i + 1;
            let mut e = s;
            while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'_') {
                e += 1;
            }
            if e > s && b[s..e].iter().any(|c| c.is_ascii_alphabetic()) {
                out.push(Hashtag {
                    text: &text[s..e],
                    start: i,
                    end: e,
                });
            }
            i = e.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}
