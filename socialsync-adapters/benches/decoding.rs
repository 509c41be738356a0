//! Response-decoding throughput per platform (posts per second).
fn main() {}
