//! Writes the benchmark's caption corpus and the hashtags we extract from it,
//! to diff with twitter-text:
//!
//! ```text
//! cargo run --release --example hashtag_corpus -- corpus.jsonl ours.jsonl
//! node twitter-text-bench.js corpus.jsonl reference.jsonl
//! diff ours.jsonl reference.jsonl
//! ```
//!
//! `corpus.jsonl`: one JSON string (a caption) per line. `ours.jsonl`: for
//! each caption, a JSON array of the tags found, without their sign.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use socialsync_core::hashtag::extract_hashtags;

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(corpus_path), Some(tags_path)) = (args.next(), args.next()) else {
        eprintln!("usage: hashtag_corpus CORPUS.jsonl TAGS.jsonl");
        std::process::exit(2);
    };
    let captions = corpus::captions();
    let mut corpus_out = BufWriter::new(File::create(&corpus_path)?);
    let mut tags_out = BufWriter::new(File::create(&tags_path)?);
    let started = Instant::now();
    let mut found = 0;
    for caption in &captions {
        let tags: Vec<&str> = extract_hashtags(caption).iter().map(|t| t.text).collect();
        found += tags.len();
        serde_json::to_writer(&mut corpus_out, caption)?;
        corpus_out.write_all(b"\n")?;
        serde_json::to_writer(&mut tags_out, &tags)?;
        tags_out.write_all(b"\n")?;
    }
    corpus_out.flush()?;
    tags_out.flush()?;
    let bytes: usize = captions.iter().map(String::len).sum();
    println!(
        "{} captions, {:.2} MB, {found} hashtags, written in {:.2?}",
        captions.len(),
        bytes as f64 / 1e6,
        started.elapsed()
    );
    Ok(())
}
