//! Hashtag benchmarks: extraction throughput over a realistic caption corpus
//! and the cost of a match key, ASCII and not.
//!
//! `cargo bench --bench hashtags`

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use socialsync_core::hashtag::{HashtagKey, extract_hashtags};

#[path = "support/corpus.rs"]
mod corpus;

fn extraction(c: &mut Criterion) {
    let captions = corpus::captions();
    let bytes: usize = captions.iter().map(String::len).sum();
    let mut group = c.benchmark_group("hashtags");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(30);
    group.bench_function("extract_corpus", |b| {
        b.iter(|| {
            captions
                .iter()
                .map(|caption| extract_hashtags(black_box(caption)).len())
                .sum::<usize>()
        });
    });
    group.finish();
}

fn keys(c: &mut Criterion) {
    let captions = corpus::captions();
    let mut ascii = Vec::new();
    let mut other = Vec::new();
    for caption in captions.iter().take(4_000) {
        for tag in extract_hashtags(caption) {
            if tag.text.is_ascii() {
                ascii.push(tag.text.to_owned());
            } else {
                other.push(tag.text.to_owned());
            }
        }
    }
    let mut group = c.benchmark_group("hashtag_key");
    for (name, tags) in [("ascii", &ascii), ("non_ascii", &other)] {
        group.throughput(Throughput::Elements(tags.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                tags.iter()
                    .filter_map(|tag| HashtagKey::of(black_box(tag)))
                    .count()
            });
        });
    }
    group.finish();
}

// What `criterion_group!`/`criterion_main!` expand to, without their
// undocumented public function.
fn main() {
    let mut c = Criterion::default().configure_from_args();
    extraction(&mut c);
    keys(&mut c);
    c.final_summary();
}
