//! Match keys (ARCHITECTURE.md §3): the form under which two hashtags are
//! the same.

use std::fmt;

use caseless::Caseless;
use serde::{Deserialize, Serialize};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use super::chars::FULLWIDTH_HASH;

/// The key a hashtag is matched by: two hashtags match when their keys are
/// equal.
///
/// `key(tag)`: strip one leading `#`/`＃`; map `İ` (U+0130) to `i`; take the
/// Unicode compatibility caseless form `NFKD(casefold(NFKD(casefold(NFD(t)))))`
/// (Unicode §3.13, D146); drop default-ignorable code points (ZWJ, variation
/// selectors, …); NFC. So `#BrandX`, `#brandx` and `#BRANDX` match, NFC and
/// NFD spellings match, full-width and mathematical "fancy font" letters
/// match plain ones, `ß` matches `ss` — but accents stay: `#café` is not
/// `#cafe`.
///
/// ```
/// use socialsync_core::hashtag::HashtagKey;
///
/// let key = HashtagKey::of("#BrandX").unwrap();
/// assert_eq!(key.as_str(), "brandx");
/// assert_eq!(HashtagKey::of("＃ＢＲＡＮＤＸ"), Some(key));
/// assert_eq!(HashtagKey::of("#\u{3164}"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HashtagKey(String);

impl HashtagKey {
    /// The key of `tag` (with or without its sign), or `None` when the key is
    /// empty: such a tag never matches anything.
    #[must_use]
    pub fn of(tag: &str) -> Option<HashtagKey> {
        let tag = strip_sign(tag);
        let key = if tag.is_ascii() {
            tag.to_ascii_lowercase()
        } else {
            full_key(tag)
        };
        (!key.is_empty()).then_some(HashtagKey(key))
    }

    /// The key as a string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for HashtagKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HashtagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `tag` without one leading `#` or `＃`.
pub(crate) fn strip_sign(tag: &str) -> &str {
    tag.strip_prefix('#')
        .or_else(|| tag.strip_prefix(FULLWIDTH_HASH))
        .unwrap_or(tag)
}

fn full_key(tag: &str) -> String {
    if let Some(key) = simple_key(tag) {
        return key;
    }
    if tag.contains(['\u{130}', '\u{307}']) {
        // Compose first so that a decomposed `I` + U+0307 is mapped like `İ`.
        let mapped: String = tag
            .chars()
            .nfc()
            .map(|c| if c == '\u{130}' { 'i' } else { c })
            .collect();
        caseless_form(&mapped)
    } else {
        caseless_form(tag)
    }
}

/// `NFC(drop_ignorables(NFKD(casefold(NFKD(casefold(NFD(tag)))))))`.
fn caseless_form(tag: &str) -> String {
    tag.chars()
        .nfd()
        .default_case_fold()
        .nfkd()
        .default_case_fold()
        .nfkd()
        .filter(|&c| !is_default_ignorable(c))
        .nfc()
        .collect()
}

/// The key of a tag in the common simple case, without the five passes of
/// the full form: the tag is in NFKC, each char folds to one char and is no
/// default-ignorable, `İ` or U+0345 (the one char whose folding does not
/// commute with decomposition), and the folded tag is in NFKC too. Then
/// folding commutes with the decompositions, the full form is the NFD of
/// the folded tag, and its NFC the folded tag itself. Most hashtags of any
/// script pass (`España`, `Москва`, `日本語`, `패션`).
fn simple_key(tag: &str) -> Option<String> {
    if is_nfkc_quick(tag.chars()) != IsNormalized::Yes {
        return None;
    }
    let mut key = String::with_capacity(tag.len());
    let mut changed = false;
    for c in tag.chars() {
        if c.is_ascii() {
            key.push(c.to_ascii_lowercase());
            changed |= c.is_ascii_uppercase();
            continue;
        }
        if c == '\u{130}' || c == '\u{345}' || is_default_ignorable(c) {
            return None;
        }
        let mut folded = core::iter::once(c).default_case_fold();
        let (Some(f), None) = (folded.next(), folded.next()) else {
            return None;
        };
        key.push(f);
        changed |= f != c;
    }
    if changed && is_nfkc_quick(key.chars()) != IsNormalized::Yes {
        return None;
    }
    Some(key)
}

/// The `Default_Ignorable_Code_Point` property (Unicode 16,
/// `DerivedCoreProperties.txt`): invisible chars such as soft hyphen, zero
/// width space and joiners, bidirectional controls, variation selectors, the
/// Hangul fillers and the tag characters.
fn is_default_ignorable(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(tag: &str) -> Option<String> {
        HashtagKey::of(tag).map(|k| k.as_str().to_owned())
    }

    #[test]
    fn case_does_not_matter() {
        assert_eq!(key("#BrandX"), key("#brandx"));
        assert_eq!(key("#BRANDX"), key("brandx"));
        assert_eq!(key("#BrandX").as_deref(), Some("brandx"));
        assert_eq!(key("#ÉTÉ"), key("#été"));
    }

    #[test]
    fn one_sign_is_stripped_full_width_too() {
        assert_eq!(key("＃tag").as_deref(), Some("tag"));
        assert_eq!(key("##tag").as_deref(), Some("#tag"));
        assert_eq!(key("#"), None);
        assert_eq!(key(""), None);
    }

    #[test]
    fn nfc_and_nfd_spellings_match() {
        assert_eq!(key("#caf\u{E9}"), key("#cafe\u{301}"));
        assert_eq!(key("#caf\u{E9}").as_deref(), Some("caf\u{E9}"));
    }

    #[test]
    fn accents_are_not_stripped() {
        assert_ne!(key("#café"), key("#cafe"));
    }

    #[test]
    fn full_width_and_fancy_letters_match_plain_ones() {
        assert_eq!(key("#ＢｒａｎｄＸ"), key("#brandx"));
        assert_eq!(key("#𝐁𝐫𝐚𝐧𝐝𝐗"), key("#brandx"));
        assert_eq!(key("#𝓑𝓻𝓪𝓷𝓭𝓧"), key("#brandx"));
        assert_eq!(key("#𝔅𝔯𝔞𝔫𝔡𝔛"), key("#brandx"));
    }

    #[test]
    fn sharp_s_matches_ss() {
        assert_eq!(key("#Straße"), key("#STRASSE"));
        assert_eq!(key("#ẞ"), key("#ss"));
    }

    #[test]
    fn default_ignorables_are_dropped() {
        assert_eq!(key("#brand\u{200D}x"), key("#brandx"));
        assert_eq!(key("#brand\u{200C}x\u{FE0F}"), key("#brandx"));
        assert_eq!(key("#\u{3164}"), None);
        assert_eq!(key("#\u{200B}\u{FE0F}"), None);
    }

    #[test]
    fn dotted_capital_i_maps_to_i() {
        assert_eq!(key("#İstanbul").as_deref(), Some("istanbul"));
        assert_eq!(key("#I\u{307}stanbul").as_deref(), Some("istanbul"));
        assert_eq!(key("#İSTANBUL"), key("#istanbul"));
    }

    #[test]
    fn whole_tag_equality_only() {
        assert_ne!(key("#BrandXmas"), key("#BrandX"));
    }

    #[test]
    fn simple_keys_agree_with_the_full_form() {
        for c in (0..0x2_0000).filter_map(char::from_u32) {
            let tag = c.to_string();
            if let Some(key) = simple_key(&tag) {
                assert_eq!(caseless_form(&tag), key, "{c:?}");
            }
        }
        for tag in [
            "café",
            "Café",
            "日本語",
            "패션",
            "موضة",
            "Москва",
            "ファッション",
            "España",
        ] {
            let key = simple_key(tag);
            assert!(key.is_some(), "{tag}");
            assert_eq!(key.unwrap(), caseless_form(tag));
        }
        for tag in ["cafe\u{301}", "ｻｯｶｰ", "straße", "a\u{200D}b", "İ", "ᾳ"] {
            assert_eq!(simple_key(tag), None, "{tag}");
        }
    }

    /// The key by the definition, with no shortcut.
    fn reference_key(tag: &str) -> String {
        let mapped: String = strip_sign(tag)
            .chars()
            .nfc()
            .map(|c| if c == '\u{130}' { 'i' } else { c })
            .collect();
        caseless_form(&mapped)
    }

    proptest::proptest! {
        #[test]
        fn shortcuts_agree_with_the_definition(
            tag in "[#＃]?(\\PC|[aAéÉ\u{301}\u{307}İIßｻ𝐁\u{200D}\u{FE0F}\u{345}ᾳ日한])*"
        ) {
            let key = HashtagKey::of(&tag).map(|k| k.0).unwrap_or_default();
            proptest::prop_assert_eq!(key, reference_key(&tag));
        }
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_full_form() {
        for tag in ["BrandX", "a_1", "ABC123", "x"] {
            assert_eq!(HashtagKey::of(tag).unwrap().as_str(), caseless_form(tag));
        }
    }

    #[test]
    fn serializes_as_a_plain_string() {
        let key = HashtagKey::of("#BrandX").unwrap();
        assert_eq!(serde_json::to_string(&key).unwrap(), "\"brandx\"");
        let back: HashtagKey = serde_json::from_str("\"brandx\"").unwrap();
        assert_eq!(back, key);
    }
}
