//! Rendering speed. Ignored by default; run with
//! `cargo test --release -p recouvre-letters --test bench -- --ignored --nocapture`.

use std::time::Instant;

use recouvre_letters::samples::{creditor_reference, sample};
use recouvre_letters::{Engine, LetterKind};

#[test]
#[ignore = "benchmark: run explicitly in release mode"]
fn render_a_thousand_formal_notices() {
    let base = sample(LetterKind::FormalNotice);

    // Cold: engine creation (fonts parsed, standard library built) plus the first render.
    let cold = Instant::now();
    let engine = Engine::new();
    let created = cold.elapsed();
    let first = engine.render(LetterKind::FormalNotice, &base).expect("first render");
    let cold = cold.elapsed();
    assert!(first.pdf.starts_with(b"%PDF-"));

    const N: usize = 1_000;
    let names = ["Jeanne Martin", "Paul Lefèvre", "Aïcha Benali", "Émile Durand-Gauthier", "Zoé N'Diaye"];
    let started = Instant::now();
    let mut bytes = 0usize;
    for i in 0..N {
        let mut d = base.clone();
        let name = format!("Madame {} {}", names[i % names.len()], i);
        d.debtor.name = name.clone();
        d.recipient.name = name;
        d.case_reference = format!("CTX-2026-{:06}", 100_000 + i);
        d.creditor_reference = creditor_reference(&format!("CTX2026{:06}", 100_000 + i));
        let extra = (i as i64) * 1_337;
        d.amounts.principal_cents += extra;
        d.amounts.total_cents += extra;
        bytes += engine.render(LetterKind::FormalNotice, &d).expect("render").pdf.len();
    }
    let total = started.elapsed();
    println!(
        "engine creation {:.1} ms, cold first render (with creation) {:.1} ms",
        created.as_secs_f64() * 1e3,
        cold.as_secs_f64() * 1e3
    );
    println!(
        "{N} formal notices: {:.2} s in total, {:.1} ms per letter, {:.0} letters/s, {} kB average PDF",
        total.as_secs_f64(),
        total.as_secs_f64() * 1e3 / N as f64,
        N as f64 / total.as_secs_f64(),
        bytes / N / 1024
    );
}
