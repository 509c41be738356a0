//! Input mutation, driven by a seeded PRNG so a run is reproducible from
//! its seed.
//!
//! A JSON seed is mostly mutated as a tree: a random node is replaced by an
//! edge value (`-1`, `0.5`, `1e308`, 2^53 + 1, 2^64, `-0`, `""`, a huge
//! string, NUL, a lone surrogate escape), changes type, loses or duplicates
//! a key, nests deeply, or (an array) grows to thousands of items — then
//! written out again, so most inputs get past the decoder's first byte.
//! Byte-level mutations (bit flips, inserts, deletes, splices of two seeds,
//! truncation, dictionary tokens) cover what a tree cannot express.

use fastrand::Rng;
use serde_json::Value;

/// Prefix of a key that is written as a duplicate of the key it names.
const DUP: char = '\u{E001}';
/// Brackets a string standing for raw JSON text (an index into [`RAW`]).
const RAW: char = '\u{E002}';

/// JSON text no `serde_json::Value` can hold, spliced in after writing:
/// numbers out of range or badly formed, lone surrogate escapes, odd
/// escapes.
const RAW_TEXT: &[&str] = &[
    "1e400",
    "-1e400",
    "1e-400",
    "-0",
    "-0.0",
    "00",
    "01",
    "1.",
    ".5",
    "+1",
    "1e",
    "0x10",
    "NaN",
    "Infinity",
    "-Infinity",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "123456789012345678901234567890.5",
    "9007199254740993",
    "-9223372036854775809",
    "\"\\ud800\"",
    "\"\\udfff\"",
    "\"\\ud83d\\u0041\"",
    "\"a\\ud800b\"",
    "\"\\u0000\"",
    "\"a\\u0000b\"",
    "\"\\x41\"",
    "\"\\u12\"",
    "\"\\/\"",
    "\"\\\\\"",
    "\"\t\"",
];

/// Edge numbers a `Value` can hold.
const EDGE_NUMBERS: &[&str] = &[
    "-1",
    "0",
    "1",
    "0.5",
    "-0.5",
    "12.0",
    "1e308",
    "-1e308",
    "5e-324",
    "9007199254740991",
    "9007199254740992",
    "9007199254740993",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-0.0",
    "1e20",
    "253402300799",
    "253402300800",
    "-62135596800",
    "8210266876799",
    "1764333727",
    "1764333727000",
];

/// Edge strings.
const EDGE_STRINGS: &[&str] = &[
    "",
    " ",
    "0",
    "-0",
    "-1",
    "12",
    " 12 ",
    "1.5",
    "12.0",
    "9007199254740993",
    "99999999999999999999",
    "NaN",
    "null",
    "true",
    "ok",
    "instagram",
    "private",
    "public",
    "authorization.removed",
    "2026-11-28T10:00:00Z",
    "2026-11-28T10:00:00+0000",
    "2026-11-28T10:00:00.123456789+14:00",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-11-28T24:00:60Z",
    "Sat, 28 Nov 2026 10:00:00 GMT",
    "\0",
    "a\0b",
    "é",
    "#tag",
    "＃タグ",
    "#a#b",
    "https://example.com/#tag",
    "\u{202E}",
    "\u{FEFF}",
    "\u{200D}",
    "👍🏽",
    "a\u{0301}",
    "{\"reason\": 2}",
    "{\"reason\": -1e400}",
    "{\"reason\": \"1\"}",
    "does not support the views metric",
    "does not support the ",
    "access_token_invalid",
    "invalid_grant",
    "quotaExceeded",
    "rate_limit_exceeded",
];

/// Bytes worth inserting into JSON or text.
const INTERESTING_BYTES: &[u8] = b"\0\x01\x7f\x80\xbf\xc0\xff\"\\{}[],:0-.e+ \t\n#&/";

/// One seed or kept input: its bytes and, when they are JSON, the tree.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The input.
    pub bytes: Vec<u8>,
    /// Its JSON tree, when it parses.
    pub value: Option<Value>,
}

impl Entry {
    /// An entry for `bytes`, parsed when `json`.
    pub fn new(bytes: Vec<u8>, json: bool) -> Entry {
        let value = if json {
            serde_json::from_slice(&bytes).ok()
        } else {
            None
        };
        Entry { bytes, value }
    }
}

/// Mutates `entry` into a new input; `other` is a second input to splice
/// with and `dict` holds the target's tokens.
pub fn mutate(rng: &mut Rng, entry: &Entry, other: &[u8], dict: &[&[u8]]) -> Vec<u8> {
    if let Some(v) = &entry.value {
        if rng.u8(..100) < 75 {
            let mut out = mutate_json(rng, v);
            if rng.u8(..100) < 15 {
                mutate_bytes(rng, &mut out, other, dict);
            }
            return out;
        }
    }
    let mut out = entry.bytes.clone();
    for _ in 0..rng.usize(1..=4) {
        mutate_bytes(rng, &mut out, other, dict);
    }
    out
}

/// One to three tree mutations of `v`, written out.
pub fn mutate_json(rng: &mut Rng, v: &Value) -> Vec<u8> {
    let mut v = v.clone();
    for _ in 0..rng.usize(1..=3) {
        let n = count(&v);
        let mut k = rng.usize(..n);
        if let Some(node) = nth_mut(&mut v, &mut k) {
            mutate_node(rng, node);
        }
    }
    let text = if rng.u8(..100) < 15 {
        serde_json::to_vec_pretty(&v)
    } else {
        serde_json::to_vec(&v)
    }
    .unwrap_or_default();
    splice_markers(&text)
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(m) => m.values().map(count).sum(),
        _ => 0,
    }
}

fn nth_mut<'a>(v: &'a mut Value, k: &mut usize) -> Option<&'a mut Value> {
    if *k == 0 {
        return Some(v);
    }
    *k -= 1;
    match v {
        Value::Array(a) => {
            for x in a.iter_mut() {
                if let Some(r) = nth_mut(x, k) {
                    return Some(r);
                }
            }
            None
        }
        Value::Object(m) => {
            for x in m.values_mut() {
                if let Some(r) = nth_mut(x, k) {
                    return Some(r);
                }
            }
            None
        }
        _ => None,
    }
}

fn raw(rng: &mut Rng) -> Value {
    Value::String(format!("{RAW}{}{RAW}", rng.usize(..RAW_TEXT.len())))
}

fn edge_number(rng: &mut Rng) -> Value {
    let text = EDGE_NUMBERS[rng.usize(..EDGE_NUMBERS.len())];
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn huge_string(rng: &mut Rng) -> String {
    // Mostly past the 200-byte detail cut; rarely (they are slow) huge.
    let len = if rng.u8(..50) == 0 {
        rng.usize(10_000..100_000)
    } else {
        rng.usize(200..1_000)
    };
    let unit = ["A", "é", "#a ", "\u{0}", "𝔸", "\\"][rng.usize(..6)];
    unit.repeat(len / unit.len().max(1))
}

fn edge_string(rng: &mut Rng) -> Value {
    match rng.u8(..10) {
        0 => Value::String(huge_string(rng)),
        _ => Value::String(EDGE_STRINGS[rng.usize(..EDGE_STRINGS.len())].to_owned()),
    }
}

/// A value of another kind.
fn other_type(rng: &mut Rng, n: &Value) -> Value {
    match rng.u8(..9) {
        0 => Value::Null,
        1 => Value::Bool(rng.bool()),
        2 => edge_number(rng),
        3 => edge_string(rng),
        4 => Value::Array(Vec::new()),
        5 => Value::Object(serde_json::Map::new()),
        6 => Value::Array(vec![n.clone()]),
        7 => {
            let mut m = serde_json::Map::new();
            m.insert("value".into(), n.clone());
            Value::Object(m)
        }
        _ => match n {
            // A number as its text and back.
            Value::Number(x) => Value::String(x.to_string()),
            Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
            _ => Value::Null,
        },
    }
}

fn mutate_node(rng: &mut Rng, n: &mut Value) {
    match rng.u8(..12) {
        0 | 1 => *n = edge_number(rng),
        2 | 3 => *n = edge_string(rng),
        4 => *n = other_type(rng, n),
        5 => *n = raw(rng),
        6 => nest(rng, n),
        _ => match n {
            Value::Object(m) if !m.is_empty() => {
                let keys: Vec<String> = m.keys().cloned().collect();
                let key = keys[rng.usize(..keys.len())].clone();
                match rng.u8(..4) {
                    0 => {
                        m.remove(&key);
                    }
                    1 => {
                        // Written twice: the original, then another value.
                        let dup = if rng.bool() {
                            m[&key].clone()
                        } else {
                            edge_number(rng)
                        };
                        m.insert(format!("{DUP}{key}"), dup);
                    }
                    2 => {
                        m.insert(format!("unknown_{}", rng.u8(..8)), edge_string(rng));
                    }
                    _ => {
                        if let Some(x) = m.get_mut(&key) {
                            *x = other_type(rng, x);
                        }
                    }
                }
            }
            Value::Array(a) if !a.is_empty() => match rng.u8(..8) {
                0 | 5 => {
                    a.remove(rng.usize(..a.len()));
                }
                1 | 6 | 7 => {
                    let x = a[rng.usize(..a.len())].clone();
                    a.insert(rng.usize(..=a.len()), x);
                }
                2 => grow(rng, a),
                3 => a.clear(),
                _ => a.reverse(),
            },
            Value::String(s) => match rng.u8(..4) {
                0 => {
                    let mut cut = rng.usize(..=s.len());
                    while !s.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    s.truncate(cut);
                }
                1 => s.push_str(EDGE_STRINGS[rng.usize(..EDGE_STRINGS.len())]),
                2 => s.insert_str(0, EDGE_STRINGS[rng.usize(..EDGE_STRINGS.len())]),
                _ => *s = s.repeat(rng.usize(2..50)),
            },
            Value::Number(x) => {
                let f = x.as_f64().unwrap_or(0.0);
                *n = match rng.u8(..4) {
                    0 => serde_json::json!(f + 1.0),
                    1 => serde_json::json!(-f),
                    2 => match x.as_i64() {
                        Some(i) => serde_json::json!(i.wrapping_sub(1)),
                        None => serde_json::json!(f.trunc()),
                    },
                    _ => Value::String(x.to_string()),
                };
            }
            _ => *n = other_type(rng, n),
        },
    }
}

/// Wraps `n` in up to a few hundred arrays or objects.
fn nest(rng: &mut Rng, n: &mut Value) {
    let depth = if rng.u8(..16) == 0 {
        rng.usize(100..300)
    } else {
        rng.usize(1..8)
    };
    let mut v = std::mem::take(n);
    for _ in 0..depth {
        v = if rng.bool() {
            Value::Array(vec![v])
        } else {
            let mut m = serde_json::Map::new();
            m.insert("data".into(), v);
            Value::Object(m)
        };
    }
    *n = v;
}

/// Grows an array to thousands of copies of one of its items, about a
/// megabyte at most.
fn grow(rng: &mut Rng, a: &mut Vec<Value>) {
    let x = a[rng.usize(..a.len())].clone();
    let size = serde_json::to_vec(&x).map(|b| b.len()).unwrap_or(1).max(1);
    let want = rng.usize(1_000..3_000).min(200_000 / size).max(2);
    a.resize(want, x);
}

/// Replaces the markers of a written tree: `"<DUP>key"` becomes `"key"` (a
/// duplicated key) and `"<RAW>i<RAW>"` becomes `RAW_TEXT[i]`.
fn splice_markers(text: &[u8]) -> Vec<u8> {
    let mut dup = [0u8; 4];
    let dup = DUP.encode_utf8(&mut dup).as_bytes().to_vec();
    let mut rawm = [0u8; 4];
    let rawm = RAW.encode_utf8(&mut rawm).as_bytes().to_vec();
    if !contains(text, &dup) && !contains(text, &rawm) {
        return text.to_vec();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'"' && text[i + 1..].starts_with(&dup) {
            out.push(b'"');
            i += 1 + dup.len();
        } else if text[i] == b'"' && text[i + 1..].starts_with(&rawm) {
            let start = i + 1 + rawm.len();
            let digits = text[start..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let end = start + digits;
            if digits > 0
                && text[end..].starts_with(&rawm)
                && text.get(end + rawm.len()) == Some(&b'"')
            {
                let idx: usize = std::str::from_utf8(&text[start..end])
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let lit = RAW_TEXT.get(idx).copied().unwrap_or("null");
                out.extend_from_slice(lit.as_bytes());
                i = end + rawm.len() + 1;
            } else {
                out.push(text[i]);
                i += 1;
            }
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// One byte-level mutation of `data`.
pub fn mutate_bytes(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8], dict: &[&[u8]]) {
    let len = data.len();
    match rng.u8(..10) {
        0 if len > 0 => {
            let i = rng.usize(..len);
            data[i] ^= 1 << rng.u8(..8);
        }
        1 if len > 0 => {
            let i = rng.usize(..len);
            data[i] = INTERESTING_BYTES[rng.usize(..INTERESTING_BYTES.len())];
        }
        2 => {
            let i = rng.usize(..=len);
            let b = if rng.bool() {
                INTERESTING_BYTES[rng.usize(..INTERESTING_BYTES.len())]
            } else {
                rng.u8(..)
            };
            data.insert(i, b);
        }
        3 if len > 0 => {
            let i = rng.usize(..len);
            let n = rng.usize(1..=16.min(len - i));
            data.drain(i..i + n);
        }
        4 if len > 0 => {
            let i = rng.usize(..len);
            let n = rng.usize(1..=64.min(len - i));
            let piece = data[i..i + n].to_vec();
            let at = rng.usize(..=len);
            data.splice(at..at, piece);
        }
        5 => {
            // Splice: this input's head, the other's tail.
            let i = rng.usize(..=len);
            let j = rng.usize(..=other.len());
            data.truncate(i);
            data.extend_from_slice(&other[j..]);
        }
        6 if len > 0 => data.truncate(rng.usize(..len)),
        7 | 8 if !dict.is_empty() => {
            let tok = dict[rng.usize(..dict.len())];
            let i = rng.usize(..=len);
            if rng.bool() || i == len {
                data.splice(i..i, tok.iter().copied());
            } else {
                let end = (i + tok.len()).min(len);
                data.splice(i..end, tok.iter().copied());
            }
        }
        _ => {
            let i = rng.usize(..=len);
            data.insert(i, rng.u8(..));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_become_duplicate_keys_and_raw_text() {
        let v = serde_json::json!({"a": 1, "\u{E001}a": 2, "b": "\u{E002}3\u{E002}"});
        let text = serde_json::to_vec(&v).unwrap();
        let out = String::from_utf8(splice_markers(&text)).unwrap();
        assert!(
            out.contains(r#""a":1"#) && out.contains(r#""a":2"#),
            "{out}"
        );
        assert!(out.contains(r#""b":-0"#), "{out}");
    }

    #[test]
    fn json_mutations_mostly_stay_json() {
        let mut rng = Rng::with_seed(7);
        let v = serde_json::json!({"data": [{"id": "1", "n": 3}], "paging": {"next": "x"}});
        let ok = (0..1000)
            .filter(|_| serde_json::from_slice::<Value>(&mutate_json(&mut rng, &v)).is_ok())
            .count();
        assert!(ok > 500, "{ok}");
    }
}
