//! Character classes of twitter-text 3.1.0: of hashtags
//! (`regexp/hashtagAlpha.js`, `hashtagAlphaNumeric.js`,
//! `hashtagSpecialChars.js`, `hashtagBoundary.js`), of white space
//! (`spacesGroup.js`) and of URLs (`validDomainChars.js`,
//! `validUrlPrecedingChars.js`, `validGeneralUrlPathChars.js`,
//! `validUrlPathEndingChars.js`, `validUrlQueryChars.js`,
//! `validUrlQueryEndingChars.js`, `validAsciiDomain.js`), with ASCII fast
//! paths.
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

/// The set of the ASCII bytes of `members`, as a bit mask.
const fn ascii_set(members: &[u8]) -> u128 {
    let mut set = 0u128;
    let mut i = 0;
    while i < members.len() {
        set |= 1 << members[i];
        i += 1;
    }
    set
}

/// Whether the ASCII char `x` is in `set`.
#[inline]
const fn in_set(set: u128, x: u8) -> bool {
    x < 128 && (set >> x) & 1 == 1
}

const DIGITS: &[u8] = b"0123456789";
const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const fn union(a: u128, b: u128) -> u128 {
    a | b
}
const ALNUM: u128 = union(ascii_set(DIGITS), ascii_set(LETTERS));

/// twitter-text's `punct` (it leaves out `"` and `` ` ``) and ASCII white space.
const NOT_DOMAIN: u128 = union(
    ascii_set(b"!'#%&()*+,\\-./:;<=>?@[]^_{|}~$"),
    ascii_set(b"\t\n\x0B\x0C\r "),
);
/// `validGeneralUrlPathChars`, ASCII part.
const PATH: u128 = union(ALNUM, ascii_set(b"!*';:=+,.$/%#[]-_~@|&"));
/// `validUrlPathEndingChars`, ASCII chars.
const PATH_ENDING: u128 = union(ALNUM, ascii_set(b"+-=_#/"));
/// `validUrlQueryChars`.
const QUERY: u128 = union(ALNUM, ascii_set(b"!?*'@();:&=+$/%#[]-_.,~|"));
/// `validUrlQueryEndingChars`.
const QUERY_ENDING: u128 = union(ALNUM, ascii_set(b"-_&=#/"));
/// What may not follow a TLD: `[0-9a-zA-Z@+-]`.
const TLD_FOLLOWER: u128 = union(ALNUM, ascii_set(b"@+-"));
/// What may not precede a URL (`validUrlPrecedingChars`), ASCII part.
const NOT_BEFORE_URL: u128 = union(ALNUM, ascii_set(b"@$#"));

/// `[0-9a-zA-Z@+-]`: what may not follow a TLD.
#[inline]
pub(crate) fn is_tld_follower(x: u8) -> bool {
    in_set(TLD_FOLLOWER, x)
}

/// `validDomainChars`: not ASCII punctuation (twitter-text's `punct`, which
/// leaves out `"` and `` ` ``), white space, U+FFFE, U+FEFF, U+FFFF, or a
/// directional mark.
#[inline]
pub(crate) fn is_domain_char(c: char) -> bool {
    if c.is_ascii() {
        return !in_set(NOT_DOMAIN, c as u8);
    }
    !(is_twitter_space(c)
        || matches!(
            c,
            '\u{FFFE}'
                | '\u{FEFF}'
                | '\u{FFFF}'
                | '\u{202A}'..='\u{202E}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2066}'..='\u{2069}'
        ))
}

/// A char of a sub-domain label: a domain char, `_` or `-`.
#[inline]
pub(crate) fn is_label_char(c: char) -> bool {
    c == '_' || c == '-' || is_domain_char(c)
}

/// `validUrlPrecedingChars` for one char (a whole astral char always
/// qualifies: its low surrogate does).
#[inline]
pub(crate) fn is_valid_before(c: char) -> bool {
    if c.is_ascii() {
        return !in_set(NOT_BEFORE_URL, c as u8);
    }
    !matches!(
        c,
        '\u{FF20}' | '\u{FF03}' | '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}'
    )
}

/// Latin accented letters and combining marks of `latinAccentChars`, closed
/// under the case-insensitive matching of V8 (Unicode 17): the non-ASCII part
/// shared by path chars, path-ending chars and ASCII-domain chars. Generated
/// by testing each BMP char against twitter-text's expressions in Node.
const LATIN_ACCENTS: &[(u32, u32)] = &[
    (0xC0, 0xD6),
    (0xD8, 0xF6),
    (0xF8, 0x24F),
    (0x253, 0x254),
    (0x256, 0x257),
    (0x259, 0x259),
    (0x25B, 0x25B),
    (0x260, 0x260),
    (0x263, 0x263),
    (0x268, 0x269),
    (0x26F, 0x26F),
    (0x272, 0x272),
    (0x275, 0x275),
    (0x280, 0x280),
    (0x283, 0x283),
    (0x288, 0x28C),
    (0x292, 0x292),
    (0x2BB, 0x2BB),
    (0x300, 0x36F),
    (0x399, 0x399),
    (0x3B9, 0x3B9),
    (0x1E00, 0x1EFF),
    (0x1FBE, 0x1FBE),
    (0x2C65, 0x2C66),
    (0x2C7E, 0x2C7F),
    (0xA7DC, 0xA7DC),
];

#[inline]
fn is_latin_accent(v: u32) -> bool {
    LATIN_ACCENTS
        .binary_search_by(|&(lo, hi)| {
            if hi < v {
                core::cmp::Ordering::Less
            } else if lo > v {
                core::cmp::Ordering::Greater
            } else {
                core::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Cyrillic of `cyrillicLettersAndMarks` (U+0400–U+04FF) and, by case
/// folding, U+1C80–U+1C87.
#[inline]
fn is_path_cyrillic(v: u32) -> bool {
    (0x400..=0x4FF).contains(&v) || (0x1C80..=0x1C87).contains(&v)
}

/// `validGeneralUrlPathChars` (flag `i`).
#[inline]
pub(crate) fn is_path_char(c: char) -> bool {
    if c.is_ascii() {
        return in_set(PATH, c as u8);
    }
    let v = u32::from(c);
    v == 0x2013 || is_path_cyrillic(v) || is_latin_accent(v)
}

/// The single chars of `validUrlPathEndingChars` (flag `i`).
#[inline]
pub(crate) fn is_path_ending_char(c: char) -> bool {
    if c.is_ascii() {
        return in_set(PATH_ENDING, c as u8);
    }
    let v = u32::from(c);
    is_path_cyrillic(v) || is_latin_accent(v)
}

/// `validUrlQueryChars` (flag `i`).
#[inline]
pub(crate) fn is_query_char(x: u8) -> bool {
    in_set(QUERY, x)
}

/// `validUrlQueryEndingChars` (flag `i`).
#[inline]
pub(crate) fn is_query_ending_char(x: u8) -> bool {
    in_set(QUERY_ENDING, x)
}

/// `[\-a-z0-9latinAccentChars]` of `validAsciiDomain` (flag `i`).
#[inline]
pub(crate) fn is_ascii_domain_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '-';
    }
    is_latin_accent(u32::from(c))
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
    fn ascii_url_classes_match_twitter_text() {
        // The ASCII members, as printed by Node for each expression.
        let expect = |f: &dyn Fn(u8) -> bool, members: &str| {
            let got: String = (0u8..128).filter(|&x| f(x)).map(char::from).collect();
            assert_eq!(got, members);
        };
        let path_ascii =
            "!#$%&'*+,-./0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz|~";
        expect(&|x| is_path_char(char::from(x)), path_ascii);
        let ending = "#+-/0123456789=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
        expect(&|x| is_path_ending_char(char::from(x)), ending);
        let query = "!#$%&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz|~";
        expect(&is_query_char, query);
        let query_ending = "#&-/0123456789=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
        expect(&is_query_ending_char, query_ending);
        let not_domain: String = (0u8..128)
            .filter(|&x| !is_domain_char(char::from(x)))
            .map(char::from)
            .collect();
        assert_eq!(
            not_domain,
            "\t\n\u{b}\u{c}\r !#$%&'()*+,-./:;<=>?@[\\]^_{|}~"
        );
        assert!(is_domain_char('"') && is_domain_char('`') && is_domain_char('\u{7F}'));
    }

    #[test]
    fn url_classes_outside_ascii() {
        for c in "é\u{301}ж\u{1C80}ιɠ\u{A7DC}".chars() {
            assert!(is_path_char(c) && is_path_ending_char(c), "{c:?}");
        }
        assert!(is_path_char('–') && !is_path_ending_char('–'));
        for c in "日ɐµ😀".chars() {
            assert!(!is_path_char(c), "{c:?}");
        }
        assert!(is_ascii_domain_char('é') && !is_ascii_domain_char('ж'));
        assert!(is_valid_before('é') && is_valid_before('😀') && is_valid_before('-'));
        assert!(!is_valid_before('a') && !is_valid_before('＠') && !is_valid_before('$'));
        assert!(is_label_char('_') && is_label_char('-') && !is_label_char('.'));
        assert!(!is_domain_char('\u{200E}') && !is_domain_char('\u{3000}'));
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
