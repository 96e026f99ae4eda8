//! The floor the nightly run is measured against (issue 7): a plain pass that reads every open
//! case and writes one row per case, in pages of 1,000 cases, one transaction per page — the
//! least any per-case nightly work can cost on the same database. Run by `scripts/bench-batch`
//! on the database it seeded (`BENCH_DATABASE_URL`); prints the time; asserts nothing about it.

use std::time::Instant;

use recouvre_store::{sql, Store};

const PAGE_CASES: i64 = 1_000;

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-batch"]
async fn plain_pass_over_every_open_case() {
    let Ok(url) = std::env::var("BENCH_DATABASE_URL") else {
        eprintln!("BENCH_DATABASE_URL unset: nothing to measure");
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    let started = Instant::now();
    sql::query("DROP TABLE IF EXISTS bench_floor").execute(&store).await.unwrap();
    sql::query("CREATE TABLE bench_floor (case_id BIGINT PRIMARY KEY, total_cents BIGINT NOT NULL)")
        .execute(&store)
        .await
        .unwrap();
    let mut after_id = 0_i64;
    let mut cases = 0_usize;
    loop {
        let mut tx = store.begin().await.unwrap();
        let page: Vec<(i64, i64)> = sql::query_as(
            "SELECT id, total_cents FROM cases WHERE id > $1 AND status <> 'closed' ORDER BY id LIMIT $2",
        )
        .bind(after_id)
        .bind(PAGE_CASES)
        .fetch_all(&mut tx)
        .await
        .unwrap();
        let Some(last) = page.last() else { break };
        after_id = last.0;
        cases += page.len();
        // Multi-row inserts as the store writes them (`sql::MultiRow`: anonymous `?` on SQLite,
        // whose numbered placeholders cost time quadratic in their number).
        sql::MultiRow::new("INSERT INTO bench_floor (case_id, total_cents) ", 2)
            .execute(&mut tx, &page, |values, (id, total_cents)| {
                values.push(*id).push(*total_cents);
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    sql::query("DROP TABLE bench_floor").execute(&store).await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!("floor: {cases} open cases read and one row each written in {seconds:.1} s");
}
