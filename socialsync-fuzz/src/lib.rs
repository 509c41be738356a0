//! # socialsync-fuzz
//!
//! Fuzz targets for every decoder of `socialsync-adapters` (each platform's
//! listing, metrics, account, token and error bodies, Instagram's usage
//! headers, `Retry-After`, the platforms' time formats), TikTok's webhook
//! verifier and the hashtag extractor of `socialsync-core` — on stable
//! Rust, without cargo-fuzz.
//!
//! Inputs are mutations of the recorded fixtures and of valid bodies built
//! in code ([`mutate`]): random bytes rarely get past a JSON decoder's
//! first byte, so most mutations edit the JSON tree and write it out again.
//! Every input runs under `catch_unwind`; a panic is a bug, reported with
//! the input (hex) that caused it. Besides not panicking, targets check a
//! few properties of what they decode (counts within 2^53, no token in a
//! `Debug` output or an error, hashtags that are slices of their text, a
//! webhook delivery key that fits the store).
//!
//! Run a million inputs per target (release build):
//!
//! ```sh
//! cargo run --release -p socialsync-fuzz -- --inputs 1000000
//! ```
//!
//! Options: `--target NAME` (repeatable; `--list` prints the names),
//! `--seed N` (the same seed replays the same inputs). It prints, per
//! target, the inputs run, inputs per second, the share the decoder
//! accepted and the panics, and exits non-zero when anything panicked. The
//! test suite (`tests/fuzz.rs`) runs about 10 000 inputs per target.

pub mod mutate;
pub mod targets;

use fastrand::Rng;
use mutate::Entry;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::time::{Duration, Instant};

pub use targets::{Target, targets};

/// A panicking input.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The input.
    pub input: Vec<u8>,
    /// The panic's message and location.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\n  input ({} bytes, hex): {}",
            self.message,
            self.input.len(),
            hex::encode(&self.input)
        )
    }
}

/// What one target's run did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The target's name.
    pub target: &'static str,
    /// Inputs run (the seeds included).
    pub inputs: u64,
    /// Inputs the decoder accepted (decoded, verified, found something).
    pub accepted: u64,
    /// How many inputs panicked.
    pub panics: u64,
    /// The first few panicking inputs.
    pub failures: Vec<Failure>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Report {
    /// Inputs per second.
    pub fn rate(&self) -> f64 {
        self.inputs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The accepted share, in percent.
    pub fn accepted_percent(&self) -> f64 {
        100.0 * self.accepted as f64 / (self.inputs.max(1)) as f64
    }
}

/// How many panicking inputs a report keeps.
const KEPT_FAILURES: usize = 5;
/// How many accepted inputs are kept to be mutated further.
const POOL: usize = 256;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that, on a thread running inputs, records
/// the message instead of printing it; other threads keep the usual hook.
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let msg = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".to_owned());
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}{at}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `input` through `target`: `Ok(accepted)`, or the panic's message.
pub fn run_one(target: &Target, input: &[u8]) -> Result<bool, String> {
    install_hook();
    QUIET.with(|q| q.set(true));
    let r = catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    QUIET.with(|q| q.set(false));
    r.map_err(|_| {
        LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "panic".to_owned())
    })
}

/// A stable number for a name (FNV-1a), so one target's inputs do not
/// depend on which other targets run.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs `target` on its seeds, then on mutations of them until `inputs`
/// inputs have run. The same `seed` gives the same inputs.
pub fn run(target: &Target, inputs: u64, seed: u64) -> Report {
    let mut rng = Rng::with_seed(seed ^ name_hash(target.name));
    let seeds: Vec<Entry> = (target.seeds)()
        .into_iter()
        .map(|b| Entry::new(b, target.json))
        .collect();
    assert!(!seeds.is_empty(), "{} has no seeds", target.name);
    let mut pool: Vec<Entry> = Vec::new();
    let mut report = Report {
        target: target.name,
        inputs: 0,
        accepted: 0,
        panics: 0,
        failures: Vec::new(),
        elapsed: Duration::ZERO,
    };
    let started = Instant::now();
    let record = |report: &mut Report, input: &[u8], r: Result<bool, String>| {
        report.inputs += 1;
        match r {
            Ok(true) => report.accepted += 1,
            Ok(false) => {}
            Err(message) => {
                report.panics += 1;
                if report.failures.len() < KEPT_FAILURES {
                    report.failures.push(Failure {
                        input: input.to_vec(),
                        message,
                    });
                }
            }
        }
    };
    for s in &seeds {
        if report.inputs >= inputs {
            break;
        }
        let r = run_one(target, &s.bytes);
        record(&mut report, &s.bytes, r);
    }
    while report.inputs < inputs {
        let from_pool = !pool.is_empty() && rng.u8(..4) == 0;
        let entry = if from_pool {
            &pool[rng.usize(..pool.len())]
        } else {
            &seeds[rng.usize(..seeds.len())]
        };
        let other = &seeds[rng.usize(..seeds.len())].bytes;
        let input = (target.mutate)(&mut rng, entry, other, target.dict);
        let r = run_one(target, &input);
        let keep = matches!(r, Ok(true)) && input.len() <= 64 * 1024 && rng.u8(..16) == 0;
        record(&mut report, &input, r);
        if keep {
            let e = Entry::new(input, target.json);
            if pool.len() < POOL {
                pool.push(e);
            } else {
                let i = rng.usize(..POOL);
                pool[i] = e;
            }
        }
    }
    report.elapsed = started.elapsed();
    report
}
