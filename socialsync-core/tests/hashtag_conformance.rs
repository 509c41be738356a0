//! The twitter-text conformance cases for hashtags (ARCHITECTURE.md §3): all
//! 168 of `conformance/hashtags/twitter_text_hashtags.json` must pass.
//!
//! The file is found under `$SOCIALSYNC_CONFORMANCE_DIR/hashtags/`, by default
//! `tests/data/` of this crate (a copy of the upstream cases, Apache-2.0,
//! licence and source beside it). A missing file fails
//! the tests: it is never a silent skip.

use std::path::PathBuf;

use serde::Deserialize;
use socialsync_core::hashtag::{HashtagProblem, TrackedHashtag, extract_hashtags};

#[derive(Debug, Deserialize)]
struct Case {
    section: String,
    description: String,
    text: String,
    expected: Vec<String>,
    #[serde(default)]
    indices: Option<Vec<[usize; 2]>>,
}

const SECTIONS: &[&str] = &[
    "hashtags",
    "hashtags_from_astral",
    "hashtags_with_indices",
    "validate_hashtags",
    "autolink_hashtags",
    "autolink_all",
    "extract_texts_with_hash_in_other_sections",
];

fn conformance_file() -> PathBuf {
    let dir = std::env::var_os("SOCIALSYNC_CONFORMANCE_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data"),
        PathBuf::from,
    );
    dir.join("hashtags/twitter_text_hashtags.json")
}

fn all_cases() -> Vec<Case> {
    let path = conformance_file();
    let json = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read the hashtag conformance cases at {} ({err}); \
             set SOCIALSYNC_CONFORMANCE_DIR to the folder that holds hashtags/",
            path.display()
        )
    });
    serde_json::from_str(&json).expect("the conformance file is a JSON array of cases")
}

fn cases(section: &str) -> Vec<Case> {
    let cases: Vec<Case> = all_cases()
        .into_iter()
        .filter(|c| c.section == section)
        .collect();
    assert!(!cases.is_empty(), "no case in section {section}");
    cases
}

/// Byte offset → char offset (all conformance texts are in the BMP, so
/// chars and UTF-16 units agree).
fn char_offset(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

/// Checks extraction against `expected` (and `indices` when present);
/// returns a description of each failure.
fn check_extraction(case: &Case) -> Option<String> {
    let tags = extract_hashtags(&case.text);
    let got: Vec<&str> = tags.iter().map(|t| t.text).collect();
    if got != case.expected {
        return Some(format!(
            "[{}] {}: text {:?}: expected {:?}, got {:?}",
            case.section, case.description, case.text, case.expected, got
        ));
    }
    for tag in &tags {
        let sign_len = if case.text[tag.start..].starts_with('#') {
            1
        } else {
            3
        };
        if &case.text[tag.start + sign_len..tag.end] != tag.text {
            return Some(format!(
                "[{}] {}: span {}..{} does not hold `#{}`",
                case.section, case.description, tag.start, tag.end, tag.text
            ));
        }
    }
    if let Some(indices) = &case.indices {
        let got: Vec<[usize; 2]> = tags
            .iter()
            .map(|t| {
                [
                    char_offset(&case.text, t.start),
                    char_offset(&case.text, t.end),
                ]
            })
            .collect();
        if &got != indices {
            return Some(format!(
                "[{}] {}: text {:?}: expected indices {:?}, got {:?}",
                case.section, case.description, case.text, indices, got
            ));
        }
    }
    None
}

fn run_extraction_section(section: &str) {
    let cases = cases(section);
    let failures: Vec<String> = cases.iter().filter_map(check_extraction).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases of section {section} fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_case_is_in_a_known_section() {
    let cases = all_cases();
    assert_eq!(cases.len(), 168, "the suite has 168 cases");
    for case in &cases {
        assert!(
            SECTIONS.contains(&case.section.as_str()),
            "case {:?} is in section {:?}, which no test runs",
            case.description,
            case.section
        );
    }
}

#[test]
fn hashtags() {
    run_extraction_section("hashtags");
}

#[test]
fn hashtags_from_astral() {
    run_extraction_section("hashtags_from_astral");
}

#[test]
fn hashtags_with_indices() {
    let cases = cases("hashtags_with_indices");
    assert!(cases.iter().all(|c| c.indices.is_some()));
    run_extraction_section("hashtags_with_indices");
}

#[test]
fn autolink_hashtags() {
    run_extraction_section("autolink_hashtags");
}

#[test]
fn autolink_all() {
    run_extraction_section("autolink_all");
}

#[test]
fn extract_texts_with_hash_in_other_sections() {
    run_extraction_section("extract_texts_with_hash_in_other_sections");
}

/// `isValidHashtag(text)`: valid exactly when extraction yields the text
/// minus its sign. A tracked hashtag is accepted exactly then.
#[test]
fn validate_hashtags() {
    let cases = cases("validate_hashtags");
    let mut failures = Vec::new();
    for case in &cases {
        let valid = !case.expected.is_empty();
        if let Some(failure) = check_extraction(case) {
            failures.push(failure);
        }
        let parsed = TrackedHashtag::parse(&case.text);
        match (&parsed, valid) {
            (Ok(tag), true) if case.expected == [tag.written()] => {}
            (Err(err), false) if err.problem == HashtagProblem::NoLetter => {}
            _ => failures.push(format!(
                "[validate_hashtags] {}: TrackedHashtag::parse({:?}) gave {:?}, expected {}",
                case.description,
                case.text,
                parsed,
                if valid { "valid" } else { "invalid" }
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures in validate_hashtags:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
