//! [`EngagementRate`]: an exact fraction, rounded only for display.

use serde::Serialize;

/// Decimal places of [`EngagementRate::display`].
pub const RATE_DECIMALS: u32 = 4;

/// Engagement over views, kept exact.
///
/// `denominator` is the views of the posts whose views are known and
/// `numerator` the engagement (likes + comments + shares + saves, over the
/// metrics present) of those same posts. The fraction is not reduced: both
/// terms keep their meaning. `display` is the quotient rounded half-even to
/// [`RATE_DECIMALS`] places, computed with integers only.
///
/// ```
/// use socialsync_core::report::EngagementRate;
///
/// let rate = EngagementRate::new(1, 3).unwrap();
/// assert_eq!(rate.display, "0.3333");
/// assert!(EngagementRate::new(5, 0).is_none()); // no views known
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngagementRate {
    /// Engagement of the posts whose views are known.
    pub numerator: u128,
    /// Views of those posts (never 0).
    pub denominator: u128,
    /// `numerator / denominator` rounded half-even to 4 decimal places.
    pub display: String,
}

impl EngagementRate {
    /// The rate `numerator / denominator`; `None` when `denominator` is 0
    /// (no post with known views, or all of them at 0 views).
    pub fn new(numerator: u128, denominator: u128) -> Option<EngagementRate> {
        (denominator != 0).then(|| EngagementRate {
            numerator,
            denominator,
            display: round_half_even(numerator, denominator, RATE_DECIMALS),
        })
    }
}

/// `n / d` (`d > 0`) as a decimal string with `places` decimals, rounded
/// half-even (a tie goes to the even last digit), by long division: exact,
/// no floating point.
pub(crate) fn round_half_even(n: u128, d: u128, places: u32) -> String {
    debug_assert!(d != 0, "division by zero");
    let mut int = n / d;
    let mut rem = n % d;
    let mut frac: u128 = 0;
    for _ in 0..places {
        // `rem < d`, and `d` is a sum of u64 view counts: `rem * 10` fits.
        rem *= 10;
        frac = frac * 10 + rem / d;
        rem %= d;
    }
    // Compare the rest with a half without doubling it: `rem` vs `d - rem`.
    let above_half = rem > d - rem;
    let tie = rem != 0 && rem == d - rem;
    if above_half || (tie && frac % 2 == 1) {
        frac += 1;
        if frac == 10u128.pow(places) {
            frac = 0;
            int += 1;
        }
    }
    if places == 0 {
        int.to_string()
    } else {
        format!("{int}.{frac:0width$}", width = places as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: u128, d: u128) -> String {
        round_half_even(n, d, RATE_DECIMALS)
    }

    #[test]
    fn rounds_to_four_decimals() {
        assert_eq!(r(1, 3), "0.3333");
        assert_eq!(r(2, 3), "0.6667");
        assert_eq!(r(0, 7), "0.0000");
        assert_eq!(r(7, 7), "1.0000");
        assert_eq!(r(3, 2), "1.5000");
        assert_eq!(r(123_456, 1000), "123.4560");
    }

    #[test]
    fn ties_go_to_the_even_digit() {
        // 0.00005: the kept digit 0 is even, stays.
        assert_eq!(r(5, 100_000), "0.0000");
        // 0.00015: 1 is odd, goes up to 2.
        assert_eq!(r(15, 100_000), "0.0002");
        // 0.00025: 2 is even, stays.
        assert_eq!(r(25, 100_000), "0.0002");
        // 0.00035: 3 is odd, goes up to 4.
        assert_eq!(r(35, 100_000), "0.0004");
        // Just above and below a tie are not ties.
        assert_eq!(r(50_001, 1_000_000_000), "0.0001");
        assert_eq!(r(49_999, 1_000_000_000), "0.0000");
    }

    #[test]
    fn rounding_up_carries_into_the_integer() {
        // 0.99995 is a tie on an odd digit: up to 1.0000.
        assert_eq!(r(99_995, 100_000), "1.0000");
        // 1.99996 is above the tie.
        assert_eq!(r(199_996, 100_000), "2.0000");
    }

    #[test]
    fn huge_terms_stay_exact() {
        let d = u128::from(u64::MAX) * 3;
        assert_eq!(r(d, d), "1.0000");
        assert_eq!(r(d / 3, d), "0.3333");
    }

    #[test]
    fn no_views_means_no_rate() {
        assert_eq!(EngagementRate::new(3, 0), None);
        let rate = EngagementRate::new(15, 100_000).unwrap();
        assert_eq!((rate.numerator, rate.denominator), (15, 100_000));
        assert_eq!(rate.display, "0.0002");
    }
}
