//! The committee pack's time on a seeded database (issue 8: under 5 seconds on a million
//! cases). Run by `scripts/bench-committee` on the database it seeded and ran the nightly run
//! on (`BENCH_DATABASE_URL`, `BENCH_MONTH`); prints the times of the pack and of its three
//! files; asserts nothing about them.

use std::time::Instant;

use recouvre_domain::committee::Month;
use recouvre_store::Store;

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-committee"]
async fn committee_pack_of_a_month() {
    let Ok(url) = std::env::var("BENCH_DATABASE_URL") else {
        eprintln!("BENCH_DATABASE_URL unset: nothing to measure");
        return;
    };
    let month: Month = match std::env::var("BENCH_MONTH") {
        Ok(text) => text.parse().unwrap(),
        Err(_) => Month::of(chrono::Utc::now().date_naive()),
    };
    let store = Store::connect(&url).await.unwrap();
    for round in 1..=2 {
        let started = Instant::now();
        let pack = recouvre_store::committee::pack(&store, month).await.unwrap();
        let read = started.elapsed().as_secs_f64();
        let files = recouvre_app::committee::files::render_all(&pack).unwrap();
        let total = started.elapsed().as_secs_f64();
        println!(
            "round {round}: pack of {month} ({} open cases, {} flow lines) read in {read:.2} s; PDF {} kB, XLSX {} kB, CSV {} kB; {total:.2} s in all",
            pack.portfolio.total.cases,
            pack.flows.by_account.len(),
            files.pdf.len() / 1024,
            files.xlsx.len() / 1024,
            files.csv.len() / 1024
        );
    }
}
