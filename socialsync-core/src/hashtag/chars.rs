//! Character classes of hashtag extraction (twitter-text 3.1.0
//! `regexp/hashtagAlpha.js`, `hashtagAlphaNumeric.js`, `hashtagSpecialChars.js`,
//! `hashtagBoundary.js`, `spacesGroup.js`), with an ASCII fast path.
//!
//! twitter-text spells letters, marks and decimal digits as tables frozen at
//! an old Unicode version; here they come from the Unicode general category
//! (`L*`, `M*`, `Nd`) of `unicode-general-category`, so letters added since
//! are hashtag letters too (see the decisions in `extract.rs`).

use unicode_general_category::{GeneralCategory, get_general_category};

/// The full-width number sign `＃` (U+FF03), the other hash sign.
pub(crate) const FULLWIDTH_HASH: char = '\u{FF03}';

/// The UTF-8 encoding of `＃` (U+FF03).
pub(crate) const FULLWIDTH_HASH_UTF8: [u8; 3] = [0xEF, 0xBC, 0x83];

/// A letter or a mark: what a hashtag must contain at least once.
#[inline]
pub(crate) fn is_hashtag_alpha(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    if let Some(known) = common_letter(c) {
        return known;
    }
    is_letter_or_mark(get_general_category(c))
}

/// A character a hashtag body may hold: a letter, a mark, a decimal digit,
/// `_`, or one of twitter-text's special characters.
#[inline]
pub(crate) fn is_hashtag_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    if let Some(known) = common_letter(c) {
        return known;
    }
    is_special(c) || {
        let cat = get_general_category(c);
        is_letter_or_mark(cat) || cat == GeneralCategory::DecimalNumber
    }
}

/// twitter-text's `hashtagSpecialChars` beyond `_`: joiners, a few
/// punctuation marks that belong inside words (Hebrew geresh, Katakana
/// middle dot, wave dash, …) and the middle dot.
#[inline]
fn is_special(c: char) -> bool {
    matches!(
        c,
        '\u{200C}'
            | '\u{200D}'
            | '\u{A67E}'
            | '\u{05BE}'
            | '\u{05F3}'
            | '\u{05F4}'
            | '\u{FF5E}'
            | '\u{301C}'
            | '\u{309B}'
            | '\u{309C}'
            | '\u{30A0}'
            | '\u{30FB}'
            | '\u{3003}'
            | '\u{0F0B}'
            | '\u{0F0C}'
            | '\u{00B7}'
    )
}

/// Blocks that are letters throughout, checked before the table search:
/// Hangul syllables, CJK ideographs, kana, Cyrillic and Arabic letters.
#[inline]
fn common_letter(c: char) -> Option<bool> {
    match c {
        '\u{AC00}'..='\u{D7A3}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FA}'
        | '\u{0410}'..='\u{044F}'
        | '\u{0621}'..='\u{063A}'
        | '\u{0641}'..='\u{064A}' => Some(true),
        _ => None,
    }
}

#[inline]
fn is_letter_or_mark(cat: GeneralCategory) -> bool {
    use GeneralCategory as G;
    matches!(
        cat,
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::NonspacingMark
            | G::SpacingMark
            | G::EnclosingMark
    )
}

/// Whether `c`, just before a hash sign, lets a hashtag start there
/// (`hashtagBoundary`): anything but a hashtag character or `&`, and the
/// text-style and emoji-style variation selectors although they are marks.
#[inline]
pub(crate) fn is_hashtag_boundary(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_' || c == '&');
    }
    c == '\u{FE0E}' || c == '\u{FE0F}' || !is_hashtag_alnum(c)
}

/// twitter-text's white space (`spacesGroup`). A URL never contains one.
#[inline]
pub(crate) fn is_twitter_space(c: char) -> bool {
    matches!(
        c,
        '\u{09}'..='\u{0D}'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{180E}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// The char that ends at byte `i` of `text`, with its start.
///
/// `i` must be a char boundary greater than 0.
#[inline]
pub(crate) fn char_before(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes();
    let last = b[i - 1];
    if last.is_ascii() {
        return (char::from(last), i - 1);
    }
    let mut start = i - 1;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let c = text[start..i].chars().next().unwrap_or('\u{FFFD}');
    (c, start)
}

/// The char that starts at byte `i` of `text`, if any.
#[inline]
pub(crate) fn char_at(text: &str, i: usize) -> Option<char> {
    let b = text.as_bytes();
    match b.get(i) {
        None => None,
        Some(&x) if x.is_ascii() => Some(char::from(x)),
        Some(_) => text.get(i..).and_then(|rest| rest.chars().next()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_letters_digits_and_underscore_are_hashtag_chars() {
        for c in ('a'..='z').chain('A'..='Z') {
            assert!(is_hashtag_alpha(c) && is_hashtag_alnum(c), "{c}");
        }
        for c in ('0'..='9').chain(['_']) {
            assert!(!is_hashtag_alpha(c) && is_hashtag_alnum(c), "{c}");
        }
        for c in "-&#.!?@$%^*()+=[]{}|\\/:;\"'<>,~` ".chars() {
            assert!(!is_hashtag_alnum(c), "{c}");
        }
    }

    #[test]
    fn letters_and_marks_of_every_script_are_alpha() {
        for c in "éñßжمא日本カタ한ไ\u{0301}\u{093F}\u{FE0F}\u{20E3}\u{3164}".chars() {
            assert!(is_hashtag_alpha(c), "{:?}", c);
        }
        for c in ['𠀡', '𖼄', '\u{16F51}'] {
            assert!(is_hashtag_alpha(c), "{:?}", c);
        }
    }

    #[test]
    fn other_digits_and_specials_are_alnum_only() {
        for c in "٣۴३੫０\u{104A0}\u{200C}\u{200D}\u{00B7}\u{30FB}\u{05F3}".chars() {
            assert!(is_hashtag_alnum(c), "{:?}", c);
            assert!(!is_hashtag_alpha(c), "{:?}", c);
        }
    }

    #[test]
    fn punctuation_symbols_and_emoji_are_not_hashtag_chars() {
        for c in "。、！？「」…—–😀🏿\u{2764}\u{3000}\u{00A0}²½Ⅻ".chars() {
            assert!(!is_hashtag_alnum(c), "{:?}", c);
        }
    }

    #[test]
    fn common_letter_fast_path_agrees_with_the_table() {
        let ranges = [
            ('\u{AC00}', '\u{D7A3}'),
            ('\u{4E00}', '\u{9FFF}'),
            ('\u{3041}', '\u{3096}'),
            ('\u{30A1}', '\u{30FA}'),
            ('\u{0410}', '\u{044F}'),
            ('\u{0621}', '\u{063A}'),
            ('\u{0641}', '\u{064A}'),
        ];
        for (lo, hi) in ranges {
            for c in lo..=hi {
                assert!(is_letter_or_mark(get_general_category(c)), "{:?}", c);
            }
        }
    }

    #[test]
    fn boundary_excludes_hashtag_chars_and_ampersand_but_not_variation_selectors() {
        assert!(is_hashtag_boundary(' '));
        assert!(is_hashtag_boundary('#'));
        assert!(is_hashtag_boundary('😀'));
        assert!(is_hashtag_boundary('\u{FE0E}'));
        assert!(is_hashtag_boundary('\u{FE0F}'));
        assert!(!is_hashtag_boundary('&'));
        assert!(!is_hashtag_boundary('a'));
        assert!(!is_hashtag_boundary('_'));
        assert!(!is_hashtag_boundary('日'));
    }

    #[test]
    fn char_before_and_char_at_decode_multibyte_chars() {
        let text = "a日😀";
        assert_eq!(char_before(text, 1), ('a', 0));
        assert_eq!(char_before(text, 4), ('日', 1));
        assert_eq!(char_before(text, 8), ('😀', 4));
        assert_eq!(char_at(text, 1), Some('日'));
        assert_eq!(char_at(text, 8), None);
    }

    #[test]
    fn twitter_spaces() {
        for c in " \t\n\u{A0}\u{3000}\u{2009}\u{202F}".chars() {
            assert!(is_twitter_space(c), "{:?}", c);
        }
        for c in "a.\u{200B}\u{FEFF}".chars() {
            assert!(!is_twitter_space(c), "{:?}", c);
        }
    }
}
