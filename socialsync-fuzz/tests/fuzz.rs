//! About 10 000 inputs per fuzz target, under the test suite (the full run
//! is `cargo run --release -p socialsync-fuzz -- --inputs 1000000`).

use socialsync_fuzz::{run, targets};

/// Inputs per target in the test suite.
const INPUTS: u64 = 10_000;

#[test]
fn every_target_runs_ten_thousand_inputs_without_a_panic() {
    let mut failed = Vec::new();
    for t in targets() {
        let r = run(&t, INPUTS, 20_261_128);
        assert_eq!(r.inputs, INPUTS);
        if r.panics > 0 {
            failed.push(format!(
                "{}: {} panics\n{}",
                r.target,
                r.panics,
                r.failures
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn json_targets_get_past_the_first_byte() {
    // Mutations that rarely decoded would prove little.
    for t in targets().iter().filter(|t| t.json) {
        let r = run(t, 2_000, 7);
        assert!(
            r.accepted_percent() > 10.0,
            "{} accepted only {:.1}%",
            t.name,
            r.accepted_percent()
        );
    }
}

#[test]
fn a_panicking_input_is_caught_and_reported() {
    let t = socialsync_fuzz::Target {
        name: "always-panics",
        about: "a target that panics on a `!`",
        seeds: || vec![b"ab!".to_vec()],
        json: false,
        dict: &[],
        mutate: |_, e, _, _| e.bytes.clone(),
        run: |b| {
            assert!(!b.contains(&b'!'), "found a bang");
            true
        },
    };
    let r = run(&t, 3, 1);
    assert_eq!(r.panics, 3);
    assert!(r.failures[0].message.contains("found a bang"));
    assert!(r.failures[0].to_string().contains(&hex::encode(b"ab!")));
}
