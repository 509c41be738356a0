//! The fuzz runner: `cargo run --release -p socialsync-fuzz -- --inputs 1000000`.

use socialsync_fuzz::{Report, run, targets};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: socialsync-fuzz [--inputs N] [--seed N] [--target NAME]... [--list]";

fn main() -> ExitCode {
    let mut inputs: u64 = 100_000;
    let mut seed: u64 = 1;
    let mut only: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| match args.next() {
            Some(v) => v,
            None => {
                eprintln!("{name} needs a value\n{USAGE}");
                std::process::exit(2);
            }
        };
        match a.as_str() {
            "--inputs" => inputs = parse(&value("--inputs")),
            "--seed" => seed = parse(&value("--seed")),
            "--target" => only.push(value("--target")),
            "--list" => {
                for t in targets() {
                    println!("{:<26} {}", t.name, t.about);
                }
                return ExitCode::SUCCESS;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let all = targets();
    for name in &only {
        if !all.iter().any(|t| t.name == name) {
            eprintln!("no target {name:?} (see --list)");
            return ExitCode::from(2);
        }
    }
    let chosen: Vec<_> = all
        .iter()
        .filter(|t| only.is_empty() || only.iter().any(|n| n == t.name))
        .collect();
    println!(
        "seed {seed}, {inputs} inputs per target, {} targets",
        chosen.len()
    );
    println!(
        "{:<26} {:>10} {:>10} {:>9} {:>7}",
        "target", "inputs", "inputs/s", "accepted", "panics"
    );
    let started = Instant::now();
    let mut reports: Vec<Report> = Vec::new();
    for t in chosen {
        let r = run(t, inputs, seed);
        println!(
            "{:<26} {:>10} {:>10.0} {:>8.1}% {:>7}",
            r.target,
            r.inputs,
            r.rate(),
            r.accepted_percent(),
            r.panics
        );
        reports.push(r);
    }
    let panics: u64 = reports.iter().map(|r| r.panics).sum();
    let total: u64 = reports.iter().map(|r| r.inputs).sum();
    println!(
        "total: {total} inputs in {:.1} s, {panics} panics",
        started.elapsed().as_secs_f64()
    );
    for r in reports.iter().filter(|r| r.panics > 0) {
        for f in &r.failures {
            println!("\nPANIC in {} (seed {seed}): {f}", r.target);
        }
    }
    if panics > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn parse(v: &str) -> u64 {
    match v.replace('_', "").parse() {
        Ok(n) => n,
        Err(_) => {
            eprintln!("not a number: {v:?}\n{USAGE}");
            std::process::exit(2);
        }
    }
}
