//! The ledger on both engines: random operation sequences keep every invariant, balances are
//! derived from postings, and the listed amounts follow the ledger.

use chrono::Utc;
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::case::Breakdown;
use recouvre_domain::ledger::{Account, Balances, Posting};
use recouvre_domain::Money;
use recouvre_store::{sql, StoreError};
mod common;

use common::{today, TestDb};

fn entry<'a>(reference: &'a str, actor: &'a str) -> recouvre_store::ledger::Entry<'a> {
    recouvre_store::ledger::Entry { booked_on: today(), reference, actor, now: Utc::now() }
}

/// A small deterministic generator (SplitMix64): the same sequences on every run and engine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

#[tokio::test]
async fn random_operation_sequences_keep_the_ledger_invariants() {
    let db = TestDb::new().await;
    db.seed(12, &[]).await;
    let mut rng = Rng(2026);
    for step in 0..150 {
        let case_id = 1 + rng.below(12) as i64;
        let balances = recouvre_store::ledger::balances(&db.store, case_id).await.unwrap();
        let due = balances.due();
        let result = match rng.below(3) {
            0 | 1 => {
                let amount = Money::from_cents(1 + rng.below(due.total().cents().max(1) as u64 * 2) as i64);
                let order = if rng.below(2) == 0 {
                    AllocationOrder::CostsInterestPrincipal
                } else {
                    AllocationOrder::CapitalFirst
                };
                recouvre_store::payments::book_payment(
                    &db.store,
                    case_id,
                    None,
                    amount,
                    order,
                    &entry(&format!("pay-{step}"), "test"),
                )
                .await
                .map(|_| ())
            }
            _ => {
                // Write off a random part of each component; sometimes more than due (refused).
                let part = |money: Money, rng: &mut Rng| {
                    Money::from_cents((money.cents() as u64 * rng.below(130) / 100) as i64)
                };
                let amounts = Breakdown {
                    principal: part(due.principal, &mut rng),
                    contractual_interest: part(due.contractual_interest, &mut rng),
                    statutory_interest: part(due.statutory_interest, &mut rng),
                    costs: part(due.costs, &mut rng),
                    penalties: part(due.penalties, &mut rng),
                };
                recouvre_store::ledger::book_write_off(
                    &db.store,
                    case_id,
                    None,
                    &amounts,
                    &entry(&format!("wo-{step}"), "test"),
                )
                .await
                .map(|_| ())
            }
        };
        match result {
            Ok(()) | Err(StoreError::Refused { .. }) => {}
            Err(other) => panic!("step {step}: {other}"),
        }
    }
    let findings = recouvre_store::ledger::check(&db.store).await.unwrap();
    assert!(findings.is_clean(), "{findings:?}");
    // Every case's balances recomputed from its lines equal the derived balances.
    for case_id in 1..=12 {
        let lines = recouvre_store::ledger::lines(&db.store, case_id).await.unwrap();
        let postings: Vec<Posting> = lines
            .iter()
            .map(|line| Posting {
                account: Account::from_code(&line.account).unwrap(),
                amount: Money::from_cents(line.amount_cents),
            })
            .collect();
        let recomputed = Balances::from_postings(&postings);
        recomputed.check().unwrap();
        let case = recouvre_store::cases::detail(&db.store, case_id).await.unwrap();
        assert_eq!(case.breakdown, recomputed.due());
        let page = recouvre_store::cases::list(
            &db.store,
            &recouvre_store::cases::CaseFilter { query: Some(case.reference.clone()), ..Default::default() },
        )
        .await
        .unwrap();
        assert_eq!(page.cases[0].total_cents, recomputed.due().total().cents(), "listed amount = ledger");
    }
    assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
}

#[tokio::test]
async fn a_payment_is_journaled_with_its_allocation_and_a_stale_one_refused() {
    let db = TestDb::new().await;
    db.seed(3, &[]).await;
    let before = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    let booked = recouvre_store::payments::book_payment(
        &db.store,
        1,
        Some(before.version),
        Money::from_cents(10_000),
        AllocationOrder::CostsInterestPrincipal,
        &entry("chèque 123", "camille"),
    )
    .await
    .unwrap();
    assert_eq!(booked.version, before.version + 1);
    let after = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    assert_eq!(after.breakdown.total(), before.breakdown.total() - Money::from_cents(10_000));
    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    assert_eq!(events.last().unwrap().kind, "payment_booked");
    let stale = recouvre_store::payments::book_payment(
        &db.store,
        1,
        Some(before.version),
        Money::from_cents(5_000),
        AllocationOrder::CostsInterestPrincipal,
        &entry("chèque 124", "julien"),
    )
    .await;
    assert!(matches!(stale, Err(StoreError::Stale(_))), "{stale:?}");
    // The refused payment left no posting behind.
    let lines = recouvre_store::ledger::lines(&db.store, 1).await.unwrap();
    assert!(lines.iter().all(|line| line.reference != "chèque 124"));
}

#[tokio::test]
async fn the_controls_find_a_tampered_posting() {
    let db = TestDb::new().await;
    db.seed(2, &[]).await;
    recouvre_store::audit::drop_append_only_guards(&db.store).await.unwrap(); // tamper as a DBA would
    sql::query("UPDATE ledger_postings SET amount_cents = amount_cents + 1 WHERE id = 1")
        .execute(&db.store)
        .await
        .unwrap();
    let findings = recouvre_store::ledger::check(&db.store).await.unwrap();
    assert_eq!(findings.unbalanced_transactions.len(), 1);
    assert_eq!(findings.stale_projections.len(), 1, "{findings:?}");
}
