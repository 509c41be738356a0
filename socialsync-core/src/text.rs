//! Text from outside, made storable: every store keeps what a platform sent
//! less the code points a PostgreSQL `text` cannot hold (U+0000), so both
//! stores hold the same strings (ARCHITECTURE.md §9).

/// Drops every U+0000 from `s`, in place; `true` when it held one.
pub fn drop_nul(s: &mut String) -> bool {
    if !s.contains('\0') {
        return false;
    }
    s.retain(|c| c != '\0');
    true
}

/// [`drop_nul`] on an optional string.
pub fn drop_nul_opt(s: &mut Option<String>) -> bool {
    s.as_mut().is_some_and(drop_nul)
}

/// Text a store keeps, made storable in place ([`drop_nul`] on every
/// string it holds). Stores call it on what they are given, so a caption
/// holding U+0000 is the same caption, less that code point, in every store.
pub trait Storable {
    /// Drops what no store can hold; `true` when something was dropped.
    fn make_storable(&mut self) -> bool;
}

impl Storable for String {
    fn make_storable(&mut self) -> bool {
        drop_nul(self)
    }
}

impl Storable for Option<String> {
    fn make_storable(&mut self) -> bool {
        drop_nul_opt(self)
    }
}

impl<T: Storable> Storable for Vec<T> {
    fn make_storable(&mut self) -> bool {
        self.iter_mut()
            .fold(false, |any, t| t.make_storable() | any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_dropped_and_reported() {
        let mut s = String::from("a\0b\0\0c");
        assert!(drop_nul(&mut s));
        assert_eq!(s, "abc");
        assert!(!drop_nul(&mut s));
        let mut v = vec![String::from("x"), String::from("\0y")];
        assert!(v.make_storable());
        assert_eq!(v, ["x", "y"]);
        let mut o: Option<String> = None;
        assert!(!o.make_storable());
    }
}
