//! Placeholder until the hashtag benchmark lands.
fn main() {}
