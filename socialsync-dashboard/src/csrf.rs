//! CSRF tokens for the dashboard's state-changing actions (reset).
//!
//! A token is `<issued unix seconds>.<hex HMAC-SHA256(secret, brand, action,
//! target, issued)>`: stateless, bound to the brand it was issued for, the
//! action and its target (one connection), valid for
//! [`TOKEN_LIFETIME_SECS`]. Its age is measured on the system clock (a
//! signed-in browser lives in real time, whatever clock the engine runs on).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use socialsync_core::clock::{Clock, SystemClock};
use socialsync_core::ids::BrandId;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// How long a token holds: 1 hour (a confirmation page is answered in
/// minutes).
pub(crate) const TOKEN_LIFETIME_SECS: i64 = 3600;

/// A state-changing action a token may authorise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Reset one disabled connection.
    ResetConnection,
}

impl Action {
    fn name(self) -> &'static [u8] {
        match self {
            Action::ResetConnection => b"reset-connection",
        }
    }
}

/// What a token authorises: an action of a brand on one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grant {
    /// The brand whose viewer was given the form.
    pub(crate) brand: BrandId,
    /// The action.
    pub(crate) action: Action,
    /// Its target's id (the connection).
    pub(crate) target: i64,
}

/// The signing secret (never printed).
pub(crate) struct CsrfKey {
    secret: Vec<u8>,
}

impl fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfKey(<redacted>)")
    }
}

impl CsrfKey {
    pub(crate) fn new(secret: &[u8]) -> CsrfKey {
        CsrfKey {
            secret: secret.to_vec(),
        }
    }

    /// A key from the operating system's random source. Should that fail
    /// (it does not on supported systems), the key is derived from the time
    /// and the process id: tokens still expire and bind to the brand.
    pub(crate) fn random() -> CsrfKey {
        let mut secret = vec![0u8; 32];
        if getrandom::fill(&mut secret).is_err() {
            tracing::warn!("no OS randomness for the CSRF key; deriving one from time and pid");
            let seed = format!(
                "{}:{}",
                SystemClock.now().timestamp_nanos_opt().unwrap_or_default(),
                std::process::id()
            );
            secret = seed.into_bytes();
        }
        CsrfKey { secret }
    }

    fn mac(&self, grant: Grant, issued: i64) -> HmacSha256 {
        // HMAC accepts keys of any length: this cannot fail.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        // Fixed-width fields around the one variable-length name, which
        // comes last but for them: no two grants feed the same bytes.
        mac.update(b"socialsync-dashboard csrf v2|");
        mac.update(&grant.brand.get().to_be_bytes());
        mac.update(&grant.target.to_be_bytes());
        mac.update(&issued.to_be_bytes());
        mac.update(grant.action.name());
        mac
    }

    /// A token for `grant`, issued now.
    pub(crate) fn issue(&self, grant: Grant) -> String {
        self.issue_at(grant, SystemClock.now().timestamp())
    }

    fn issue_at(&self, grant: Grant, issued: i64) -> String {
        let tag = self.mac(grant, issued).finalize().into_bytes();
        format!("{issued}.{}", hex(&tag))
    }

    /// Whether `token` was issued for exactly `grant` by this key and is
    /// still valid.
    pub(crate) fn verify(&self, grant: Grant, token: &str) -> bool {
        self.verify_at(grant, token, SystemClock.now().timestamp())
    }

    fn verify_at(&self, grant: Grant, token: &str, now: i64) -> bool {
        let Some((issued, tag)) = token.split_once('.') else {
            return false;
        };
        let Ok(issued) = issued.parse::<i64>() else {
            return false;
        };
        let age = now.saturating_sub(issued);
        if !(-60..=TOKEN_LIFETIME_SECS).contains(&age) {
            return false;
        }
        let Some(tag) = unhex(tag) else {
            return false;
        };
        self.mac(grant, issued).verify_slice(&tag).is_ok()
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || s.len() > 128 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_772_323_200;

    fn reset(brand: i64, connection: i64) -> Grant {
        Grant {
            brand: BrandId(brand),
            action: Action::ResetConnection,
            target: connection,
        }
    }

    #[test]
    fn a_token_holds_for_its_brand_action_and_target_only() {
        let key = CsrfKey::new(b"secret");
        let token = key.issue_at(reset(1, 7), NOW);
        assert!(key.verify_at(reset(1, 7), &token, NOW + 5));
        assert!(!key.verify_at(reset(2, 7), &token, NOW + 5));
        assert!(!key.verify_at(reset(1, 8), &token, NOW + 5));
        assert!(!CsrfKey::new(b"other").verify_at(reset(1, 7), &token, NOW + 5));
    }

    #[test]
    fn an_old_or_future_token_is_refused() {
        let key = CsrfKey::new(b"secret");
        let token = key.issue_at(reset(1, 7), NOW);
        assert!(key.verify_at(reset(1, 7), &token, NOW + TOKEN_LIFETIME_SECS));
        assert!(!key.verify_at(reset(1, 7), &token, NOW + TOKEN_LIFETIME_SECS + 1));
        assert!(!key.verify_at(reset(1, 7), &token, NOW - 61));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let key = CsrfKey::new(b"secret");
        let good = key.issue_at(reset(1, 7), NOW);
        let (issued, tag) = good.split_once('.').unwrap();
        let moved = format!("{}.{tag}", issued.parse::<i64>().unwrap() + 1);
        let flipped = format!(
            "{issued}.{}{}",
            &tag[..tag.len() - 1],
            if tag.ends_with('0') { '1' } else { '0' }
        );
        for bad in [
            "",
            ".",
            "abc",
            "1.zz",
            &format!("{issued}."),
            &moved,
            &flipped,
            &format!("{issued}.{}", "é".repeat(32)),
        ] {
            assert!(!key.verify_at(reset(1, 7), bad, NOW), "{bad:?} accepted");
        }
    }
}
