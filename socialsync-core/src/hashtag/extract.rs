//! Hashtag extraction, as npm twitter-text 3.1.0 `extractHashtagsWithIndices`
//! does it, in one linear pass without a backtracking regular expression.
//!
//! # How twitter-text's expression is followed
//!
//! twitter-text runs `(boundary)([#＃])(?!\uFE0F|\u20E3)(alnum* alpha alnum*)`
//! globally (`regexp/validHashtag.js`), then drops a match followed by `#`,
//! `＃` or `://`, then drops the hashtags that overlap a URL it extracts.
//! Here:
//!
//! * The boundary char (anything but a hashtag char or `&`; also U+FE0E and
//!   U+FE0F) is *consumed* by a match: a char that ended a previous match —
//!   even a match dropped afterwards for the `#`/`://` that follows it — cannot
//!   open the next one. So `#a#b` holds nothing, `##tag` holds `tag` and
//!   `#a##b` holds `b`. Only at the very start of the text may a sign have no
//!   char before it.
//! * The body is the maximal run of hashtag chars after the sign; the greedy
//!   `alnum* alpha alnum*` matches exactly that run when it holds a letter or
//!   a mark, and nothing otherwise.
//! * URLs come from [`super::url`], a one-pass rendition of
//!   `extractUrlsWithIndices`, and the overlap rule is twitter-text's
//!   `removeOverlappingEntities` (entities sorted by start; one that starts
//!   before the previous kept one ends is removed — a URL that starts inside a
//!   kept hashtag is removed too, and then shields nothing). URLs are only
//!   looked for in the white-space-delimited chunks that hold a hashtag and a
//!   dot: no URL spans white space, so nothing else can overlap.
//!
//! # Decisions where we differ from twitter-text 3.1.0
//!
//! * Letters, marks and digits come from the Unicode 16 general category
//!   (`L*`, `M*`, `Nd`) instead of twitter-text's tables, which are frozen
//!   near Unicode 9 (widened at run time by V8's case folding). So letters
//!   of scripts or blocks added since (e.g. Tangut, Khitan, Nag Mundari, CJK
//!   extensions G–I, Latin additions such as U+A7C0) extend a hashtag here and
//!   end it in twitter-text. Conversely twitter-text counts the private-use
//!   chars U+F870–U+F8D6 (vendor-specific glyphs) as letters; we do not.
//! * When a URL label holds thousands of varied astral chars, Node's
//!   punycode throws `RangeError: Overflow` and so does `extractHashtags`
//!   (5 000 alternating CJK-extension and private-use chars suffice); a label
//!   of more than 63 code points can never be valid, so here its URL is
//!   simply invalid and the hashtags around it stay.
//! * Positions are byte offsets into the Rust string (twitter-text counts
//!   UTF-16 units); tags and their order are the same.
//!
//! Apart from these, the output was checked equal to twitter-text's: on the
//! 20 000 captions of the benchmark corpus (`examples/hashtag_corpus.rs`),
//! on about a million generated texts dense in signs, URL pieces, TLDs,
//! parentheses, surrogate pairs and joiners (hashtags and URL spans both),
//! and around every code point.

use super::chars::{
    FULLWIDTH_HASH_UTF8, char_at, char_before, is_hashtag_alnum, is_hashtag_alpha,
    is_hashtag_boundary, is_twitter_space,
};
use super::url::{Span, UrlScanner, has_dot};

/// A hashtag found in a text: what follows the sign, and where the whole
/// hashtag (sign included) lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hashtag<'a> {
    /// The tag as written, without the sign (`BrandX` for `#BrandX`).
    pub text: &'a str,
    /// Byte offset of the `#` or `＃` sign.
    pub start: usize,
    /// Byte offset just after the tag (half-open `[start, end)`).
    pub end: usize,
}

/// Extracts the hashtags of `text` in order, as twitter-text 3.1.0 does
/// (ARCHITECTURE.md §3): a `#` or `＃` that follows a non-hashtag char other
/// than `&` (or starts the text), then letters, marks, digits, `_` and a few
/// joiners, with at least one letter or mark; a tag directly followed by a sign
/// or `://` is dropped, and so is a hashtag inside a URL.
///
/// Runs in time linear in the length of `text`.
///
/// ```
/// use socialsync_core::hashtag::extract_hashtags;
///
/// let tags = extract_hashtags("Summer drop #BrandX, #2025 abc#x &#39; #a#b #café");
/// let texts: Vec<&str> = tags.iter().map(|t| t.text).collect();
/// assert_eq!(texts, ["BrandX", "café"]);
/// assert_eq!((tags[0].start, tags[0].end), (12, 19));
/// ```
#[must_use]
pub fn extract_hashtags(text: &str) -> Vec<Hashtag<'_>> {
    let tags = candidates(text);
    if tags.is_empty() || !has_dot(text) {
        return tags;
    }
    remove_url_overlaps(text, tags)
}

/// The hashtag matches of twitter-text's global expression, without the URL
/// check.
fn candidates(text: &str) -> Vec<Hashtag<'_>> {
    let b = text.as_bytes();
    let mut tags = Vec::new();
    // Like the expression's `lastIndex`: where the previous match ended.
    let mut consumed = 0;
    let mut search = 0;
    while let Some(i) = next_sign(b, search) {
        let sign_len = if b[i] == b'#' { 1 } else { 3 };
        let body_start = i + sign_len;
        search = body_start;
        if i > 0 {
            let (before, before_start) = char_before(text, i);
            if before_start < consumed || !is_hashtag_boundary(before) {
                continue;
            }
        }
        if matches!(char_at(text, body_start), Some('\u{FE0F}' | '\u{20E3}')) {
            continue;
        }
        let (body_end, has_alpha) = scan_body(text, body_start);
        search = body_end;
        if !has_alpha {
            continue;
        }
        consumed = body_end;
        let rest = &b[body_end..];
        if rest.first() == Some(&b'#')
            || rest.starts_with(&FULLWIDTH_HASH_UTF8)
            || rest.starts_with(b"://")
        {
            continue;
        }
        tags.push(Hashtag {
            text: &text[body_start..body_end],
            start: i,
            end: body_end,
        });
    }
    tags
}

/// The next `#` or `＃` at or after `from`.
#[inline]
fn next_sign(b: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let i = from + memchr::memchr2(b'#', 0xEF, b.get(from..)?)?;
        if b[i] == b'#' || b[i..].starts_with(&FULLWIDTH_HASH_UTF8) {
            return Some(i);
        }
        from = i + 1;
    }
}

/// The maximal run of hashtag chars from `start`: its end, and whether it
/// holds a letter or a mark.
#[inline]
fn scan_body(text: &str, start: usize) -> (usize, bool) {
    let b = text.as_bytes();
    let mut pos = start;
    let mut has_alpha = false;
    while pos < b.len() {
        let x = b[pos];
        if x.is_ascii() {
            if x.is_ascii_alphabetic() {
                has_alpha = true;
            } else if !(x.is_ascii_digit() || x == b'_') {
                break;
            }
            pos += 1;
            continue;
        }
        let Some(c) = char_at(text, pos) else { break };
        if !is_hashtag_alnum(c) {
            break;
        }
        has_alpha = has_alpha || is_hashtag_alpha(c);
        pos += c.len_utf8();
    }
    (pos, has_alpha)
}

/// twitter-text's `removeOverlappingEntities` over the hashtags and the URLs,
/// keeping only the hashtags.
fn remove_url_overlaps<'a>(text: &'a str, tags: Vec<Hashtag<'a>>) -> Vec<Hashtag<'a>> {
    let mut kept = Vec::with_capacity(tags.len());
    let mut scanner = UrlScanner::default();
    let mut urls: Vec<Span> = Vec::new();
    let mut i = 0;
    let mut chunk_floor = 0;
    while i < tags.len() {
        let (from, to) = chunk_around(text, tags[i].start, chunk_floor);
        let mut j = i;
        while j < tags.len() && tags[j].start < to {
            j += 1;
        }
        let chunk_tags = &tags[i..j];
        urls.clear();
        if memchr::memchr(b'.', &text.as_bytes()[from..to]).is_some() {
            scanner.scan_chunk(text, from, to, &mut urls);
        }
        if urls.is_empty() {
            kept.extend_from_slice(chunk_tags);
        } else {
            merge(chunk_tags, &urls, &mut kept);
        }
        chunk_floor = to;
        i = j;
    }
    kept
}

/// The chunk around byte `at`: from the white space char before it (or 0)
/// to the white space char after it (or the end). `floor` is a position at
/// or before that white space char, where the backward search may stop.
fn chunk_around(text: &str, at: usize, floor: usize) -> (usize, usize) {
    let mut from = at;
    loop {
        if from <= floor {
            // `floor` is 0 or a white space char's position.
            from = floor;
            break;
        }
        let (c, cs) = char_before(text, from);
        from = cs;
        if is_twitter_space(c) {
            break;
        }
    }
    let mut to = at;
    while let Some(c) = char_at(text, to) {
        if is_twitter_space(c) {
            break;
        }
        to += c.len_utf8();
    }
    (from, to)
}

/// Sorts hashtags and URLs by start (hashtags first on a tie, as
/// `tags.concat(urls)` sorted stably) and keeps each entity that starts at
/// or after the end of the last one kept; pushes the kept hashtags.
fn merge<'a>(tags: &[Hashtag<'a>], urls: &[Span], kept: &mut Vec<Hashtag<'a>>) {
    #[derive(Clone, Copy)]
    enum Entity {
        Tag(usize),
        Url(usize),
    }
    let mut entities: Vec<(usize, Entity)> = tags
        .iter()
        .enumerate()
        .map(|(k, t)| (t.start, Entity::Tag(k)))
        .chain(urls.iter().enumerate().map(|(k, u)| (u.0, Entity::Url(k))))
        .collect();
    entities.sort_by_key(|&(start, _)| start);
    let mut prev_end: Option<usize> = None;
    for (start, entity) in entities {
        if prev_end.is_some_and(|end| end > start) {
            continue;
        }
        prev_end = Some(match entity {
            Entity::Tag(k) => {
                kept.push(tags[k]);
                tags[k].end
            }
            Entity::Url(k) => urls[k].1,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        extract_hashtags(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn a_hashtag_needs_a_letter_or_a_mark() {
        assert_eq!(texts("#2025 #1st #_ #a_1"), ["1st", "a_1"]);
    }

    #[test]
    fn the_char_before_the_sign_must_not_be_a_hashtag_char_or_ampersand() {
        assert_eq!(texts("abc#x &#39; 日本#x .#ok (#ok2)"), ["ok", "ok2"]);
    }

    #[test]
    fn a_consumed_char_is_no_boundary() {
        assert!(texts("#a#b").is_empty());
        assert_eq!(texts("##tag"), ["tag"]);
        assert_eq!(texts("#a##b"), ["b"]);
        assert_eq!(texts("#a＃b ＃c"), ["c"]);
        assert!(texts("#tag\u{FE0F}#x").is_empty());
    }

    #[test]
    fn a_tag_followed_by_scheme_separator_is_dropped() {
        assert!(texts("#http://x").is_empty());
        assert_eq!(texts("#a:/b"), ["a"]);
    }

    #[test]
    fn emoji_keycap_and_variation_selector_after_the_sign() {
        assert!(texts("#\u{FE0F}tag #\u{20E3}tag").is_empty());
        assert_eq!(texts("\u{FE0F}#x"), ["x"]);
        assert_eq!(texts("👍#x 👨‍👩‍👧#y"), ["x", "y"]);
    }

    #[test]
    fn punctuation_and_emoji_end_a_tag() {
        assert_eq!(texts("#a-b #c.d #e😀 #f!"), ["a", "c", "e", "f"]);
    }

    #[test]
    fn positions_are_byte_offsets_of_the_sign_and_the_end() {
        let text = "日本 ＃タグ #x";
        let tags = extract_hashtags(text);
        assert_eq!(tags.len(), 2);
        assert_eq!(&text[tags[0].start..tags[0].end], "＃タグ");
        assert_eq!(&text[tags[1].start..tags[1].end], "#x");
    }

    #[test]
    fn hashtags_inside_urls_are_dropped() {
        assert!(texts("http://www.example.com/#answer").is_empty());
        assert!(texts("see brandx.com/#sale").is_empty());
        assert_eq!(texts("x.com?a=#tag"), ["tag"]);
        assert!(texts("http://x.com?a=#tag").is_empty());
        assert_eq!(texts("#twitter.com #twitter.co.jp"), ["twitter", "twitter"]);
        assert_eq!(texts("#tag·x.com/#bar"), ["tag·x", "bar"]);
        assert!(texts("😀-x.com/#a").is_empty());
        assert_eq!(texts("go.now/#x #y"), ["y"]);
        assert_eq!(texts("go.nowhere/#x #y"), ["x", "y"]);
    }

    #[test]
    fn huge_inputs_stay_linear() {
        let text = "/#a".repeat(300_000);
        assert_eq!(extract_hashtags(&text).len(), 300_000);
        let text = "#1".repeat(500_000);
        assert!(extract_hashtags(&text).is_empty());
        let text = "#a.".repeat(300_000);
        assert_eq!(extract_hashtags(&text).len(), 300_000);
        // One URL, too long to be valid (4096 UTF-16 units at most): the
        // hashtags in it stay.
        let text = "x.com/#a".repeat(100_000);
        assert_eq!(extract_hashtags(&text).len(), 100_000);
        let text = "x.com/#a ".repeat(100_000);
        assert!(extract_hashtags(&text).is_empty());
    }
}
