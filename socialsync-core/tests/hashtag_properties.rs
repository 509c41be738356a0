//! Properties of hashtag extraction on arbitrary text.

use proptest::prelude::*;
use socialsync_core::hashtag::{HashtagKey, TrackedHashtag, extract_hashtags};

/// Text rich in what matters to extraction: signs, URL pieces, joiners.
fn tricky_text() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "#", "＃", "#", ".", "/", ":", "://", "a", "Z", "1", "_", "-", "&", " ", "\u{3000}", "😀",
        "\u{FE0F}", "\u{20E3}", "\u{200D}", "é", "e\u{301}", "日", "ж", "?", "=", "(", ")", "@",
        "http://", "https://", "www.", "com", "co.jp", "рф", "xn--p1ai", "t.co/", "·", "–", "İ",
        "\u{3164}",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|parts| parts.concat())
}

fn check_spans(text: &str) -> Result<(), TestCaseError> {
    let tags = extract_hashtags(text);
    let mut previous_end = 0;
    for tag in &tags {
        prop_assert!(
            tag.start >= previous_end,
            "tags overlap or are out of order"
        );
        let rest = &text[tag.start..];
        let sign_len = if rest.starts_with('#') {
            1
        } else if rest.starts_with('＃') {
            '＃'.len_utf8()
        } else {
            return Err(TestCaseError::fail(format!("no sign at {}", tag.start)));
        };
        prop_assert_eq!(&text[tag.start + sign_len..tag.end], tag.text);
        prop_assert!(!tag.text.is_empty());
        previous_end = tag.end;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn spans_hold_sign_and_tag_on_any_string(text in any::<String>()) {
        check_spans(&text)?;
    }

    #[test]
    fn spans_hold_sign_and_tag_on_tricky_text(text in tricky_text()) {
        check_spans(&text)?;
    }

    #[test]
    fn every_extracted_tag_is_a_valid_tracked_hashtag(text in tricky_text()) {
        for tag in extract_hashtags(&text) {
            match TrackedHashtag::parse(tag.text) {
                Ok(tracked) => prop_assert_eq!(tracked.written(), tag.text),
                Err(err) => prop_assert!(HashtagKey::of(tag.text).is_none(), "{}", err),
            }
        }
    }

    #[test]
    fn parse_accepts_exactly_what_extracts_whole(body in tricky_text()) {
        let body = body.trim();
        prop_assume!(!body.starts_with(['#', '＃']));
        let with_sign = format!("#{body}");
        let tags = extract_hashtags(&with_sign);
        let whole = tags.len() == 1 && tags[0].text == body;
        let parsed = TrackedHashtag::parse(body);
        let empty_key = matches!(
            &parsed,
            Err(err) if err.problem == socialsync_core::hashtag::HashtagProblem::EmptyKey
        );
        prop_assert_eq!(parsed.is_ok() || empty_key, whole, "{:?}", parsed);
    }

    #[test]
    fn keys_ignore_case(tag in "[a-zA-Z0-9_]{1,20}") {
        prop_assert_eq!(HashtagKey::of(&tag), HashtagKey::of(&tag.to_uppercase()));
    }
}
