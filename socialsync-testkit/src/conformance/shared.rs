use socialsync_core::error::StoreError;
use std::fmt::Debug;

/// Asserts that `r` failed with an error matching `pred`, naming `what`.
#[track_caller]
pub fn assert_err<T: Debug>(
    r: Result<T, StoreError>,
    what: &str,
    pred: impl Fn(&StoreError) -> bool,
) {
    match r {
        Ok(v) => panic!("{what}: expected an error, got Ok({v:?})"),
        Err(e) => assert!(pred(&e), "{what}: unexpected error kind: {e:?}"),
    }
}

/// Unwraps a store result, naming the step that failed.
#[track_caller]
pub fn must<T>(r: Result<T, StoreError>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e:?}"),
    }
}
