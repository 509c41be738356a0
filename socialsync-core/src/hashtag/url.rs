//! twitter-text 3.1.0's URL extraction (`extractUrlsWithIndices.js` and the
//! regular expressions it is built from), reproduced without backtracking so
//! that hashtags inside URLs can be dropped as twitter-text drops them.
//!
//! Only the spans matter here, not the URLs themselves. The scan works on one
//! *chunk* at a time: a run of text without twitter-text white space, together
//! with the white space char just before it. No URL match contains white
//! space (except as the char *before* the URL, which the expression consumes),
//! so the global left-to-right search is in the same state at every white
//! space char whatever came before, and chunks can be scanned alone.
//!
//! The expression (`regexp/extractUrl.js`, flags `gi`) is, with `D` a domain
//! char (anything but ASCII punctuation, white space, U+FFFE, U+FEFF, U+FFFF
//! and directional marks):
//!
//! ```text
//! before   [^A-Za-z0-9@＠$#＃\uFFFE\uFEFF\uFFFF] | ^        (one UTF-16 unit)
//! protocol (https?://)?
//! domain   (D([_-]|D)*)?D\.)*  ((D(-|D)*)?D\.)  (gTLD | ccTLD | xn--[-0-9a-z]+)
//! port     (:[0-9]+)?
//! path     (/ path-segment*)?
//! query    (\?[query chars]*[query ending chars])?
//! ```
//!
//! How each piece is resolved in one pass:
//!
//! * The labels of a domain are separated by dots and a dot is in no char
//!   class of a label, so each repetition of a sub-domain or of the domain
//!   name swallows exactly one label and its dot. Backtracking of the greedy
//!   sub-domain repetition then means: the domain ends at the TLD after the
//!   *last* label, among those the repetition could take, that is a valid
//!   domain name followed by a dot and a TLD. A table built right to left over
//!   the dots of a chunk answers that for every start in O(1).
//! * A TLD is tried in list order and must be followed by no `[0-9a-zA-Z@+-]`.
//! * A path, after backtracking, is the longest run of path chars and
//!   balanced parentheses cut after its last path-ending char outside
//!   parentheses, then any balanced parentheses that follow (see
//!   [`path_end`]); the query likewise ends at its last query-ending char.
//! * JavaScript strings are UTF-16 and the expression has no `u` flag: the
//!   "before" unit may be the high surrogate of an astral char, so a domain
//!   may start at its low surrogate (`😀-x.com` is a URL `\uDE00-x.com`).
//!   Such a start is kept as a position with [`Start::mid`] set; lengths that
//!   twitter-text checks (4096 units for a URL, 63 for a punycode label, 40
//!   for a t.co slug) are counted in UTF-16 units.

use std::sync::LazyLock;

use memchr::{memchr, memchr_iter};

use super::chars::{
    char_at, char_before, is_ascii_domain_char, is_domain_char, is_label_char, is_path_char,
    is_path_ending_char, is_query_char, is_query_ending_char, is_tld_follower, is_valid_before,
};
use super::tlds::{ASCII_TLDS, MAX_ASCII_TLD_LEN, MAX_OTHER_TLD_CHARS, OTHER_TLDS};

/// A URL entity as twitter-text reports it: `[start, end)` in bytes.
pub(crate) type Span = (usize, usize);

/// Longest URL (with its protocol counted twice, as twitter-text does).
const MAX_URL_LENGTH: usize = 4096;
/// Longest t.co slug.
const MAX_TCO_SLUG_LENGTH: usize = 40;
/// Longest DNS label once punycode-encoded.
const MAX_DOMAIN_LABEL_LENGTH: usize = 63;

/// Scratch space reused across the chunks of one text.
#[derive(Debug, Default)]
pub(crate) struct UrlScanner {
    dots: Vec<usize>,
    best: Vec<Option<usize>>,
    tld: Vec<Option<usize>>,
    ascii_dots: Vec<usize>,
    ascii_best: Vec<Option<usize>>,
}

/// Where a URL starts: a byte offset, or the low surrogate of the astral char
/// at that byte offset (`mid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Start {
    byte: usize,
    mid: bool,
}

/// A match of the extraction expression.
#[derive(Debug, Clone, Copy)]
struct UrlMatch {
    /// The "before" char, or `None` when the match used `^`.
    before: Option<char>,
    /// The start of the URL (after "before").
    start: Start,
    /// Length of the protocol, 0 when there is none.
    protocol_len: usize,
    /// End of the domain (its TLD).
    domain_end: usize,
    /// Whether the path group matched.
    has_path: bool,
    /// End of the whole match.
    end: usize,
}

impl UrlScanner {
    /// Appends to `out` the URL entities twitter-text extracts in the chunk
    /// that its global search enters at byte `from` (0, or the white space
    /// char before the chunk) and that ends at `to` (white space or the end).
    pub(crate) fn scan_chunk(&mut self, text: &str, from: usize, to: usize, out: &mut Vec<Span>) {
        let b = text.as_bytes();
        self.dots.clear();
        self.dots
            .extend(memchr_iter(b'.', &b[from..to]).map(|d| d + from));
        if self.dots.is_empty() {
            return;
        }
        self.best.clear();
        let mut table_ready = false;
        let mut last = from;
        let mut k = 0;
        while k < self.dots.len() {
            let d = self.dots[k];
            if d < last {
                k += 1;
                continue;
            }
            let found = self.match_at_dot(text, from, last, k, &mut table_ready);
            match found {
                Some(m) => {
                    emit(text, &m, self, out);
                    last = m.end;
                    // The next dot to consider is the first one at or after the end.
                    while k < self.dots.len() && self.dots[k] < last {
                        k += 1;
                    }
                }
                None => k += 1,
            }
        }
    }

    /// The first match (leftmost "before" char) whose domain's first label
    /// ends at the `k`-th dot, searching from `last`.
    fn match_at_dot(
        &mut self,
        text: &str,
        from: usize,
        last: usize,
        k: usize,
        table_ready: &mut bool,
    ) -> Option<UrlMatch> {
        let b = text.as_bytes();
        let d = self.dots[k];
        // The run of label chars (D, `_`, `-`) that ends at the dot, and
        // whether a char inside it can be the "before" of a URL start.
        let mut rs = d;
        let mut last_underscore: Option<usize> = None;
        let mut inner_start = false;
        while rs > last {
            let (c, cs) = char_before(text, rs);
            if !is_label_char(c) {
                break;
            }
            if c == '_' && last_underscore.is_none() {
                last_underscore = Some(cs);
            }
            if c.len_utf8() == 4 || (rs < d && is_valid_before(c)) {
                inner_start = true;
            }
            rs = cs;
        }
        if rs == d {
            return None;
        }
        // A label ends with a domain char.
        let (end_char, _) = char_before(text, d);
        if !is_domain_char(end_char) {
            return None;
        }
        // Is there a start at all, before looking further right?
        let outer_start = rs == 0 || {
            let (c, cs) = char_before(text, rs);
            cs >= last && is_valid_before(c)
        };
        let proto = protocol_before(b, rs, from);
        if !inner_start && !outer_start && proto.is_none() {
            return None;
        }
        if !*table_ready {
            self.build_table(text);
            *table_ready = true;
        }
        let tld_here = self.tld[k];
        let best_after = self.best[k];
        if tld_here.is_none() && best_after.is_none() {
            return None;
        }
        // The domain end for a first label starting at `u` (`mid`: at the low
        // surrogate of the astral char at `u`).
        let domain_end = |u: usize, mid: bool| -> Option<usize> {
            if u >= d {
                return None;
            }
            if !mid {
                let first = char_at(text, u)?;
                if !is_domain_char(first) {
                    return None;
                }
            }
            let no_underscore = last_underscore.is_none_or(|us| us < u);
            best_after.or(if no_underscore { tld_here } else { None })
        };
        // The match for a URL at `byte` (`mid`: at the low surrogate of the
        // astral char there) after `protocol_len` bytes of protocol.
        let attempt = |before: Option<char>, byte: usize, mid: bool, protocol_len: usize| {
            domain_end(byte + protocol_len, mid)
                .map(|dend| finish_match(text, before, Start { byte, mid }, protocol_len, dend))
        };

        // With a protocol: `http://` or `https://` right before the run.
        if let Some(p) = proto {
            let before = if p == 0 {
                (from == 0 && last == 0).then_some(None)
            } else {
                let (c, cs) = char_before(text, p);
                (cs >= last && is_valid_before(c)).then_some(Some(c))
            };
            if let Some(found) = before.and_then(|before| attempt(before, p, false, rs - p)) {
                return Some(found);
            }
        }

        // Without a protocol: every start in the run, in the order of the
        // "before" unit.
        let mut q = if rs == 0 {
            // `s = 0`: the char at 0 as "before" first, then `^`, then (for
            // an astral char) its low surrogate as "before".
            let c0 = char_at(text, 0)?;
            let w = c0.len_utf8();
            let first = if w == 4 {
                attempt(Some(c0), 0, true, 0)
            } else if is_valid_before(c0) {
                attempt(Some(c0), w, false, 0)
            } else {
                None
            };
            let found = first.or_else(|| attempt(None, 0, false, 0)).or_else(|| {
                if w == 4 {
                    attempt(Some(c0), w, false, 0)
                } else {
                    None
                }
            });
            if found.is_some() {
                return found;
            }
            w
        } else {
            // The char before the run is the first possible "before".
            let (c, cs) = char_before(text, rs);
            if cs >= last && is_valid_before(c) {
                if let Some(found) = attempt(Some(c), rs, false, 0) {
                    return Some(found);
                }
            }
            rs
        };
        while q < d {
            let c = char_at(text, q)?;
            let w = c.len_utf8();
            if q >= last {
                let mut found = None;
                if w == 4 {
                    found = attempt(Some(c), q, true, 0);
                }
                if found.is_none() && (w == 4 || is_valid_before(c)) {
                    found = attempt(Some(c), q + w, false, 0);
                }
                if found.is_some() {
                    return found;
                }
            }
            q += w;
        }
        None
    }

    /// `best[k]`: where the domain ends when the label after the `k`-th dot
    /// is taken as a sub-domain (`None`: no domain that way); `tld[k]`: where
    /// a TLD right after the `k`-th dot ends.
    fn build_table(&mut self, text: &str) {
        let n = self.dots.len();
        self.best.clear();
        self.best.resize(n, None);
        self.tld.clear();
        self.tld.resize(n, None);
        let mut next_best: Option<usize> = None;
        let mut next_tld: Option<usize> = None;
        for k in (0..n).rev() {
            let followed_by_dot = k + 1 < n;
            let here = if followed_by_dot {
                let seg = &text[self.dots[k] + 1..self.dots[k + 1]];
                match label_kind(seg) {
                    LabelKind::Invalid => None,
                    LabelKind::Sub => next_best,
                    LabelKind::Name => next_best.or(next_tld),
                }
            } else {
                None
            };
            self.best[k] = here;
            next_best = here;
            next_tld = tld_end(text, self.dots[k] + 1, text.len());
            self.tld[k] = next_tld;
        }
    }
}

/// The start of `http://` or `https://` (any case) that ends at `rs`, inside
/// the chunk that starts at `from`.
fn protocol_before(b: &[u8], rs: usize, from: usize) -> Option<usize> {
    if rs >= from + 8 && b[rs - 8..rs].eq_ignore_ascii_case(b"https://") {
        Some(rs - 8)
    } else if rs >= from + 7 && b[rs - 7..rs].eq_ignore_ascii_case(b"http://") {
        Some(rs - 7)
    } else {
        None
    }
}

/// What kind of label a dot-free segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelKind {
    /// Not a label.
    Invalid,
    /// A sub-domain label only (it holds `_`).
    Sub,
    /// A domain name label (and so a sub-domain label too).
    Name,
}

fn label_kind(seg: &str) -> LabelKind {
    let mut chars = seg.chars();
    let (Some(first), Some(last)) = (chars.next(), seg.chars().next_back()) else {
        return LabelKind::Invalid;
    };
    if !is_domain_char(first) || !is_domain_char(last) {
        return LabelKind::Invalid;
    }
    let mut kind = LabelKind::Name;
    for c in seg.chars() {
        if c == '_' {
            kind = LabelKind::Sub;
        } else if !is_label_char(c) {
            return LabelKind::Invalid;
        }
    }
    kind
}

/// Builds the match once the domain is known: port, path and query.
fn finish_match(
    text: &str,
    before: Option<char>,
    start: Start,
    protocol_len: usize,
    domain_end: usize,
) -> UrlMatch {
    let b = text.as_bytes();
    let mut pos = domain_end;
    // Port.
    if b.get(pos) == Some(&b':') && b.get(pos + 1).is_some_and(u8::is_ascii_digit) {
        pos += 1;
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
    }
    // Path.
    let mut has_path = false;
    if b.get(pos) == Some(&b'/') {
        has_path = true;
        pos = path_end(text, pos + 1);
    }
    // Query.
    if b.get(pos) == Some(&b'?') {
        if let Some(end) = query_end(b, pos + 1, b.len()) {
            pos = end;
        }
    }
    UrlMatch {
        before,
        start,
        protocol_len,
        domain_end,
        has_path,
        end: pos,
    }
}

/// The end of `validUrlPath*` starting at `pos` (just after the `/`).
///
/// twitter-text splices `validUrlPathEndingChars` (`[chars]|(?:parens)`)
/// into `validUrlPath` without a group, so one repetition is either
/// `G*(parens G*)*[ending char]` — after backtracking, the longest run of
/// path chars and balanced parentheses cut after its last ending char that
/// is not inside parentheses — or balanced parentheses alone. Once the first
/// alternative has matched (or failed), what is left of the run holds no
/// ending char, so only parentheses can follow.
fn path_end(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut pos = start;
    let mut end = start;
    while pos < b.len() {
        if b[pos] == b'(' {
            match balanced_parens(text, pos) {
                Some(after) => {
                    pos = after;
                    continue;
                }
                None => break,
            }
        }
        let Some(c) = char_at(text, pos) else { break };
        if !is_path_char(c) {
            break;
        }
        pos += c.len_utf8();
        if is_path_ending_char(c) {
            end = pos;
        }
    }
    while b.get(end) == Some(&b'(') {
        match balanced_parens(text, end) {
            Some(after) => end = after,
            None => break,
        }
    }
    end
}

/// `validUrlBalancedParens` at `pos` (an opening parenthesis): one level of
/// nesting, path chars inside. Returns the end.
fn balanced_parens(text: &str, pos: usize) -> Option<usize> {
    let b = text.as_bytes();
    let run = |mut p: usize| -> usize {
        while let Some(c) = char_at(text, p) {
            if !is_path_char(c) {
                break;
            }
            p += c.len_utf8();
        }
        p
    };
    let inner = pos + 1;
    let r = run(inner);
    // `\( G+ \)`
    if r > inner && b.get(r) == Some(&b')') {
        return Some(r + 1);
    }
    // `\( G* \( G+ \) G* \)`
    if b.get(r) == Some(&b'(') {
        let r2 = run(r + 1);
        if r2 > r + 1 && b.get(r2) == Some(&b')') {
            let r3 = run(r2 + 1);
            if b.get(r3) == Some(&b')') {
                return Some(r3 + 1);
            }
        }
    }
    None
}

/// `\?[query chars]*[query ending chars]` after the `?` at `pos - 1`, within
/// `..limit`: the end after the last query-ending char, if any.
fn query_end(b: &[u8], mut pos: usize, limit: usize) -> Option<usize> {
    let mut end = None;
    while pos < limit && is_query_char(b[pos]) {
        pos += 1;
        if is_query_ending_char(b[pos - 1]) {
            end = Some(pos);
        }
    }
    end
}

/// Records the entities of one match, as `extractUrlsWithIndices` does.
fn emit(text: &str, m: &UrlMatch, scratch: &mut UrlScanner, out: &mut Vec<Span>) {
    let domain_start_byte = if m.start.mid {
        m.start.byte + 4
    } else {
        m.start.byte
    };
    let domain_start = m.start.byte + m.protocol_len;
    // `isValidUrl`: idna check of the domain and total length.
    let domain_bytes = &text.as_bytes()[domain_start..m.domain_end];
    if !m.start.mid && domain_bytes.starts_with(b"xn--") {
        let mut probe = Vec::new();
        ascii_domains(
            text,
            domain_start,
            m.domain_end,
            &mut scratch.ascii_dots,
            &mut scratch.ascii_best,
            &mut probe,
        );
        if probe.is_empty() {
            return;
        }
    }
    let labels_ok = if m.start.mid {
        labels_fit(text, domain_start_byte, m.domain_end, true)
    } else {
        labels_fit(text, domain_start, m.domain_end, false)
    };
    if !labels_ok {
        return;
    }
    let url_units = utf16_len(&text[domain_start_byte..m.end]) + usize::from(m.start.mid);
    let protocol_units = if m.protocol_len == 0 {
        "https://".len()
    } else {
        m.protocol_len
    };
    if protocol_units + url_units > MAX_URL_LENGTH {
        return;
    }
    if m.protocol_len == 0 {
        // `invalidUrlWithoutProtocolPrecedingChars`.
        if matches!(m.before, Some('-' | '_' | '.' | '/')) {
            return;
        }
        let first = out.len();
        ascii_domains(
            text,
            domain_start_byte,
            m.domain_end,
            &mut scratch.ascii_dots,
            &mut scratch.ascii_best,
            out,
        );
        if out.len() > first && m.has_path {
            if let Some(last) = out.last_mut() {
                last.1 = m.end;
            }
        }
    } else {
        let b = text.as_bytes();
        let url = &b[m.start.byte..m.end];
        let after_proto = m.start.byte + m.protocol_len;
        let mut end = m.end;
        if url.len() > m.protocol_len + 5
            && url[m.protocol_len..m.protocol_len + 5].eq_ignore_ascii_case(b"t.co/")
        {
            let slug_start = after_proto + 5;
            let mut p = slug_start;
            while p < m.end && b[p].is_ascii_alphanumeric() {
                p += 1;
            }
            if p > slug_start {
                if p - slug_start > MAX_TCO_SLUG_LENGTH {
                    return;
                }
                if p < m.end && b[p] == b'?' {
                    if let Some(q) = query_end(b, p + 1, m.end) {
                        p = q;
                    }
                }
                end = p;
            }
        }
        out.push((m.start.byte, end));
    }
}

/// `validAsciiDomain` (flags `gi`) run over `text[start..end]` as a string of
/// its own, with `domain.indexOf(match, lastEnd)` for the positions as
/// twitter-text computes them.
fn ascii_domains(
    text: &str,
    start: usize,
    end: usize,
    dots: &mut Vec<usize>,
    best: &mut Vec<Option<usize>>,
    out: &mut Vec<Span>,
) {
    let b = text.as_bytes();
    dots.clear();
    dots.extend(memchr_iter(b'.', &b[start..end]).map(|d| d + start));
    if dots.is_empty() {
        return;
    }
    // best[k]: end of the TLD after the longest chain of labels whose first
    // label ends at the k-th dot.
    let n = dots.len();
    best.clear();
    best.resize(n, None);
    let mut next: Option<usize> = None;
    for k in (0..n).rev() {
        let tld = tld_end(text, dots[k] + 1, end);
        let chain = if k + 1 < n {
            let seg = &text[dots[k] + 1..dots[k + 1]];
            if !seg.is_empty() && seg.chars().all(is_ascii_domain_char) {
                next
            } else {
                None
            }
        } else {
            None
        };
        best[k] = chain.or(tld);
        next = best[k];
    }
    let mut search = start;
    let mut last_end = start;
    for k in 0..n {
        let d = dots[k];
        if d < search {
            continue;
        }
        // The run of label chars ending at this dot, from `search` on.
        let mut rs = d;
        while rs > search {
            let (c, cs) = char_before(text, rs);
            if !is_ascii_domain_char(c) {
                break;
            }
            rs = cs;
        }
        if rs == d {
            continue;
        }
        let Some(m_end) = best[k] else { continue };
        // `domain.indexOf(asciiDomain, asciiEndPosition)`.
        let needle = &b[rs..m_end];
        let found = if rs == last_end {
            rs
        } else {
            memchr::memmem::find(&b[last_end..rs + needle.len()], needle)
                .map_or(rs, |i| i + last_end)
        };
        out.push((found, found + needle.len()));
        last_end = found + needle.len();
        search = m_end;
    }
}

/// Whether every label of the domain `text[start..end]` punycode-encodes to
/// 1..=63 chars (`idna.toAscii`). With `lone_low`, the domain starts with the
/// low surrogate of the astral char just before `start`.
fn labels_fit(text: &str, start: usize, end: usize, lone_low: bool) -> bool {
    let mut first = true;
    for label in text[start..end].split('.') {
        let lead = if first && lone_low {
            // The low surrogate of the char that ends at `start`.
            let (c, _) = char_before(text, start);
            let v = u32::from(c) - 0x1_0000;
            Some(0xDC00 + (v & 0x3FF))
        } else {
            None
        };
        first = false;
        let Some(len) = to_ascii_len(lead, label) else {
            return false;
        };
        if !(1..=MAX_DOMAIN_LABEL_LENGTH).contains(&len) {
            return false;
        }
    }
    true
}

/// Length of `punycode.toASCII(label)` (Node's punycode 2: the label split at
/// `.`, `。`, `．`, `｡`, each part with a char outside `\0-\x7E` encoded as
/// `xn--…`), `lead` being an extra first code point. `None` when the label
/// is longer than any valid label can be (the encoding of a part is at least
/// as long as its code point count).
fn to_ascii_len(lead: Option<u32>, label: &str) -> Option<usize> {
    if lead.is_none() && label.bytes().all(|x| x <= 0x7E) {
        return Some(label.len());
    }
    let count = label.chars().count() + usize::from(lead.is_some());
    if count > MAX_DOMAIN_LABEL_LENGTH {
        return None;
    }
    let mut cps: Vec<u32> = Vec::with_capacity(count);
    cps.extend(lead);
    cps.extend(label.chars().map(u32::from));
    let mut total = 0;
    let mut parts = 0;
    for part in cps.split(|&c| matches!(c, 0x2E | 0x3002 | 0xFF0E | 0xFF61)) {
        parts += 1;
        if part.iter().any(|&c| c > 0x7E) {
            total += 4 + punycode_len(part);
        } else {
            total += part.len();
        }
    }
    Some(total + parts - 1)
}

/// Length of the RFC 3492 punycode encoding of `input` (code points).
fn punycode_len(input: &[u32]) -> usize {
    const BASE: u64 = 36;
    const T_MIN: u64 = 1;
    const T_MAX: u64 = 26;
    const SKEW: u64 = 38;
    const DAMP: u64 = 700;
    fn adapt(mut delta: u64, num_points: u64, first: bool) -> u64 {
        delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / num_points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
    }
    let basic = input.iter().filter(|&&c| c < 0x80).count();
    let mut len = basic + usize::from(basic > 0);
    let mut n: u64 = 0x80;
    let mut delta: u64 = 0;
    let mut bias: u64 = 72;
    let mut h = basic as u64;
    let total = input.len() as u64;
    while h < total {
        let m = input
            .iter()
            .map(|&c| u64::from(c))
            .filter(|&c| c >= n)
            .min()
            .unwrap_or(n);
        delta += (m - n) * (h + 1);
        n = m;
        for &c in input {
            let c = u64::from(c);
            if c < n {
                delta += 1;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    len += 1;
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                len += 1;
                bias = adapt(delta, h + 1, h == basic as u64);
                delta = 0;
                h += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    len
}

/// Where a TLD that starts at `pos` ends (`validGTLD | validCCTLD |
/// validPunycode`), the string being `text[..end]`.
pub(crate) fn tld_end(text: &str, pos: usize, end: usize) -> Option<usize> {
    let b = &text.as_bytes()[..end];
    let first = *b.get(pos)?;
    if first.is_ascii_alphabetic() {
        let mut r = pos;
        while r < b.len() && b[r].is_ascii_alphabetic() {
            r += 1;
        }
        let next = b.get(r).copied();
        let lookahead_ok = next.is_none_or(|x| !is_tld_follower(x));
        if lookahead_ok && is_ascii_tld(&b[pos..r]) {
            return Some(r);
        }
        if next.is_some_and(|x| !x.is_ascii()) {
            if let Some(e) = other_tld_end(text, pos, end) {
                return Some(e);
            }
        }
        // `xn--[\-0-9a-z]+`
        if b.len() >= pos + 5 && b[pos..pos + 4].eq_ignore_ascii_case(b"xn--") {
            let mut p = pos + 4;
            while p < b.len() && (b[p].is_ascii_alphanumeric() || b[p] == b'-') {
                p += 1;
            }
            if p > pos + 4 {
                return Some(p);
            }
        }
        return None;
    }
    if first.is_ascii() {
        return None;
    }
    other_tld_end(text, pos, end)
}

/// Whether `word` (ASCII letters, any case) is one of [`ASCII_TLDS`].
fn is_ascii_tld(word: &[u8]) -> bool {
    /// The entries of up to 16 letters packed into integers, sorted: a
    /// search compares integers, not strings.
    static PACKED: LazyLock<Vec<u128>> = LazyLock::new(|| {
        let mut packed: Vec<u128> = ASCII_TLDS
            .iter()
            .filter_map(|t| pack_lowercase(t.as_bytes()))
            .collect();
        packed.sort_unstable();
        packed
    });
    match pack_lowercase(word) {
        Some(key) => PACKED.binary_search(&key).is_ok(),
        None if word.len() <= MAX_ASCII_TLD_LEN => {
            let mut lower = [0u8; MAX_ASCII_TLD_LEN];
            for (dst, src) in lower.iter_mut().zip(word) {
                *dst = src.to_ascii_lowercase();
            }
            let lower = &lower[..word.len()];
            ASCII_TLDS
                .binary_search_by(|t| t.as_bytes().cmp(lower))
                .is_ok()
        }
        None => false,
    }
}

/// Up to 16 ASCII letters, lowercased, as the digits of a base-256 number
/// (first letter most significant, zero-padded: no letter is 0, so words of
/// different lengths differ).
fn pack_lowercase(word: &[u8]) -> Option<u128> {
    if word.len() > 16 {
        return None;
    }
    let mut key = 0u128;
    for (i, &x) in word.iter().enumerate() {
        key |= u128::from(x.to_ascii_lowercase()) << (8 * (15 - i));
    }
    Some(key)
}

/// The non-ASCII entries: among those that match at `pos` (case-insensitive)
/// and are followed by no `[0-9a-zA-Z@+-]`, the first in list order.
fn other_tld_end(text: &str, pos: usize, end: usize) -> Option<usize> {
    let s = &text[pos..end];
    let mut folded = String::with_capacity(4 * MAX_OTHER_TLD_CHARS);
    let mut best: Option<(u16, usize)> = None;
    for (i, c) in s.char_indices().take(MAX_OTHER_TLD_CHARS) {
        folded.push(js_canonicalize(c));
        let after = i + c.len_utf8();
        if let Ok(found) = OTHER_TLDS.binary_search_by(|(t, _)| (*t).cmp(folded.as_str())) {
            let lookahead_ok = s.as_bytes().get(after).is_none_or(|&x| !is_tld_follower(x));
            let rank = OTHER_TLDS[found].1;
            if lookahead_ok && best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, pos + after));
            }
        }
    }
    best.map(|(_, e)| e)
}

/// ECMAScript's `Canonicalize` for a regular expression with the `i` flag
/// and without `u`: simple upper case, unless that is several chars or maps
/// a non-ASCII char to ASCII.
fn js_canonicalize(c: char) -> char {
    if u32::from(c) > 0xFFFF {
        return c;
    }
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) if u32::from(u) <= 0xFFFF && (c.is_ascii() || !u.is_ascii()) => u,
        _ => c,
    }
}

/// Length of `s` in UTF-16 code units.
fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Whether `text` holds a `.` at all (twitter-text extracts no URL otherwise).
pub(crate) fn has_dot(text: &str) -> bool {
    memchr(b'.', text.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut scanner = UrlScanner::default();
        scanner.scan_chunk(text, 0, text.len(), &mut out);
        out.into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn urls_with_protocol_path_and_query() {
        assert_eq!(
            urls("http://www.example.com/#answer"),
            ["http://www.example.com/#answer"]
        );
        assert_eq!(
            urls("x https://a.b.co.uk:8080/p?q=1#f! y"),
            ["https://a.b.co.uk:8080/p?q=1#f"]
        );
        assert_eq!(urls("http://foo.com?#foo"), ["http://foo.com?#foo"]);
    }

    #[test]
    fn urls_without_protocol_need_a_tld_and_a_fitting_preceding_char() {
        assert_eq!(urls("visit brandx.com/#sale"), ["brandx.com/#sale"]);
        assert_eq!(urls("x.com?a=#tag"), ["x.com"]);
        assert_eq!(urls("foo.notatld"), Vec::<&str>::new());
        assert_eq!(urls("-x.com"), Vec::<&str>::new());
        assert_eq!(urls("#x.com @x.com"), Vec::<&str>::new());
        assert_eq!(urls("日本.com x"), Vec::<&str>::new());
        assert_eq!(urls("café.com"), ["café.com"]);
    }

    #[test]
    fn paths_end_at_their_last_ending_char_or_parentheses() {
        assert_eq!(
            urls("https://T.CO/aaaa.verm:(x)?(a)"),
            ["https://T.CO/aaaa"]
        );
        assert_eq!(
            urls("http://a.com/aaa.verm:(x)?(a)"),
            ["http://a.com/aaa.verm"]
        );
        assert_eq!(urls("http://a.com/aaa(x)(y):"), ["http://a.com/aaa(x)(y)"]);
        assert_eq!(urls("http://a.com/aaa(x):(y)"), ["http://a.com/aaa(x)"]);
        assert_eq!(
            urls("http://a.com/aaa(x):(y)b"),
            ["http://a.com/aaa(x):(y)b"]
        );
        assert_eq!(urls("http://a.com/(a(b)c)!"), ["http://a.com/(a(b)c)"]);
        assert_eq!(urls("http://a.com/!!"), ["http://a.com/"]);
    }

    #[test]
    fn a_domain_may_start_at_a_low_surrogate() {
        assert_eq!(urls("😀-x.com/#a"), ["-x.com/#a"]);
    }

    #[test]
    fn tco_urls_are_cut_after_the_slug() {
        assert_eq!(urls("http://t.co/abc/def"), ["http://t.co/abc"]);
        assert_eq!(
            urls("https://t.co/asdfdf?a=b#123"),
            ["https://t.co/asdfdf?a=b#123"]
        );
        let long = format!("http://t.co/{}", "a".repeat(41));
        assert_eq!(urls(&long), Vec::<&str>::new());
    }

    #[test]
    fn tld_lookup_is_case_insensitive_and_ordered() {
        let t = "COM";
        assert_eq!(tld_end(t, 0, t.len()), Some(3));
        // The longer entry comes first, but it is followed by a letter.
        let t = "嘉里大酒店x";
        assert_eq!(tld_end(t, 0, t.len()), Some("嘉里".len()));
        let t = "嘉里大酒店 ";
        assert_eq!(tld_end(t, 0, t.len()), Some("嘉里大酒店".len()));
        let t = "嘉里大酒店";
        assert_eq!(tld_end(t, 0, t.len()), Some(t.len()));
        let t = "嘉里大x";
        assert_eq!(tld_end(t, 0, t.len()), Some("嘉里".len()));
        let t = "comx";
        assert_eq!(tld_end(t, 0, t.len()), None);
        let t = "com1";
        assert_eq!(tld_end(t, 0, t.len()), None);
        let t = "VERMÖGENSBERATUNG";
        assert_eq!(tld_end(t, 0, t.len()), Some(t.len()));
        let t = "xn--p1ai/";
        assert_eq!(tld_end(t, 0, t.len()), Some(8));
        let t = "рф";
        assert_eq!(tld_end(t, 0, t.len()), Some(t.len()));
    }

    #[test]
    fn every_ascii_tld_is_found_in_any_case() {
        for tld in ASCII_TLDS {
            assert!(is_ascii_tld(tld.as_bytes()), "{tld}");
            assert!(is_ascii_tld(tld.to_uppercase().as_bytes()), "{tld}");
            let longer = format!("{tld}x");
            assert!(!is_ascii_tld(longer.as_bytes()) || ASCII_TLDS.contains(&longer.as_str()));
        }
        assert!(is_ascii_tld(b"travelersinsurance"));
        assert!(!is_ascii_tld(b"co1"));
        assert!(!is_ascii_tld(b""));
    }

    #[test]
    fn punycode_lengths_match_rfc_3492_examples() {
        // "bücher" → "bcher-kva"
        let cps: Vec<u32> = "bücher".chars().map(u32::from).collect();
        assert_eq!(punycode_len(&cps), "bcher-kva".len());
        // "münchen" → "mnchen-3ya"
        let cps: Vec<u32> = "münchen".chars().map(u32::from).collect();
        assert_eq!(punycode_len(&cps), "mnchen-3ya".len());
        // "日本語" → "wgv71a119e"
        let cps: Vec<u32> = "日本語".chars().map(u32::from).collect();
        assert_eq!(punycode_len(&cps), "wgv71a119e".len());
        assert_eq!(to_ascii_len(None, "abc"), Some(3));
        assert_eq!(to_ascii_len(None, "a。b"), Some(3));
    }

    #[test]
    fn domain_chars() {
        for c in "aZ9é日😀\"`".chars() {
            assert!(is_domain_char(c), "{c:?}");
        }
        for c in "-_.#@ \u{3000}\u{200E}\u{FEFF}".chars() {
            assert!(!is_domain_char(c), "{c:?}");
        }
    }

    #[test]
    fn long_dotted_runs_scan_in_linear_time() {
        let text = "a.".repeat(200_000);
        assert!(urls(&text).is_empty());
        let text = "a.com-".repeat(100_000);
        assert!(urls(&text).is_empty());
        let text = "a.com ".repeat(100_000);
        assert_eq!(urls(&text).len(), 100_000);
    }
}
