//! The committee pack (issue 8) on the engine under test: a seeded portfolio, two nightly runs
//! around a month of payments and write-offs, and every total of the pack reconciled with the
//! ledger (sums of postings per account), the provisions recomputed case by case from the
//! ledger, and the pack's files identical when made twice.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use recouvre_demo::portfolio::{self, PortfolioSpec};
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::authority::{DelegationLevel, Role};
use recouvre_domain::case::Breakdown;
use recouvre_domain::committee::{self, Channel, Month, ProvisioningPolicy};
use recouvre_domain::procedure::{ProcedureKind, Step, StepInput};
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::snapshot::AgeBucket;
use recouvre_domain::Money;
use recouvre_store::batch::{self, RunOptions, Silent};
use recouvre_store::ledger::Entry;
use recouvre_store::procedure_steps::{StepInvoice, StepRequest};
use recouvre_store::team::NewThirdParty;
use recouvre_store::{sql, Store};
use recouvre_testkit::{today, TestDb};
use rust_decimal::Decimal;

async fn run(store: &Store, as_of: NaiveDate) {
    let (totals, _) = batch::run(store, &RunOptions::new(as_of), Arc::new(ReferenceData::embedded()), Arc::new(Silent))
        .await
        .unwrap();
    assert!(totals.finished);
}

/// (case id, status, nature, opened_on, account, sum of postings) of every case posting whose
/// transaction id is at most `up_to`.
type LedgerRow = (i64, String, String, NaiveDate, String, i64);

async fn ledger_by_case(store: &Store, up_to: i64) -> Vec<LedgerRow> {
    sql::query_as(
        "SELECT c.id, c.status, c.main_nature, c.opened_on, p.account, CAST(SUM(p.amount_cents) AS BIGINT) \
         FROM ledger_postings p JOIN cases c ON c.id = p.case_id WHERE p.transaction_id <= $1 \
         GROUP BY c.id, c.status, c.main_nature, c.opened_on, p.account ORDER BY c.id, p.account",
    )
    .bind(up_to)
    .fetch_all(store)
    .await
    .unwrap()
}

async fn last_transaction_id(store: &Store) -> i64 {
    sql::query_scalar::<Option<i64>>("SELECT MAX(id) FROM ledger_transactions")
        .fetch_one(store)
        .await
        .unwrap()
        .unwrap_or(0)
}

/// Net movement per account of the transactions with ids in `(after, up_to]`, and of those on
/// cases only (not the suspense ledger).
async fn movements(store: &Store, after: i64, up_to: i64) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let rows: Vec<(String, bool, i64)> = sql::query_as(
        "SELECT p.account, p.case_id IS NOT NULL, CAST(SUM(p.amount_cents) AS BIGINT) FROM ledger_postings p \
         WHERE p.transaction_id > $1 AND p.transaction_id <= $2 GROUP BY p.account, p.case_id IS NOT NULL",
    )
    .bind(after)
    .bind(up_to)
    .fetch_all(store)
    .await
    .unwrap();
    let mut all = BTreeMap::new();
    let mut on_cases = BTreeMap::new();
    for (account, on_case, cents) in rows {
        *all.entry(account.clone()).or_insert(0) += cents;
        if on_case {
            *on_cases.entry(account).or_insert(0) += cents;
        }
    }
    (all, on_cases)
}

/// Per account, the debit postings' sum, the credit postings' sum (positive) and the number of
/// postings, booked in `(after, up_to]`.
async fn gross_movements(store: &Store, after: i64, up_to: i64) -> BTreeMap<String, (i64, i64, i64)> {
    let rows: Vec<(String, i64)> = {
        sql::query_as(
        "SELECT p.account, p.amount_cents FROM ledger_postings p WHERE p.transaction_id > $1 AND p.transaction_id <= $2"
    )
    .bind(after)
    .bind(up_to)
    .fetch_all(store)
    .await
    .unwrap()
    };
    let mut gross: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for (account, cents) in rows {
        let line = gross.entry(account).or_default();
        if cents > 0 {
            line.0 += cents;
        } else {
            line.1 -= cents;
        }
        line.2 += 1;
    }
    gross
}

/// Outstanding (receivables) per open case, from the ledger: (status, nature, bucket) → cents.
const RECEIVABLES: [&str; 5] = ["principal", "contractual_interest", "statutory_interest", "costs", "penalties"];

fn outstanding_by(rows: &[LedgerRow], as_of: NaiveDate) -> BTreeMap<(String, String, String), (i64, i64)> {
    let receivables = RECEIVABLES;
    let mut per_case: BTreeMap<i64, (String, String, NaiveDate, i64)> = BTreeMap::new();
    for (case_id, status, nature, opened_on, account, cents) in rows {
        let entry = per_case.entry(*case_id).or_insert((status.clone(), nature.clone(), *opened_on, 0));
        if receivables.contains(&account.as_str()) {
            entry.3 += cents;
        }
    }
    let mut groups = BTreeMap::new();
    for (status, nature, opened_on, cents) in per_case.into_values() {
        if status == "closed" {
            continue;
        }
        let key = (status, nature, AgeBucket::of(opened_on, as_of).code().to_string());
        let group: &mut (i64, i64) = groups.entry(key).or_insert((0, 0));
        group.0 += 1;
        group.1 += cents;
    }
    groups
}

/// Seeds `cases` cases of the demo portfolio as if they had been transferred on `on`: their
/// opening entries are booked that day, so the nights after it charge interest.
async fn seed_on(db: &TestDb, cases: usize, officers: &[&str], on: NaiveDate) {
    let spec = PortfolioSpec { cases, seed: 7, today: on, officers: officers.iter().map(|o| o.to_string()).collect() };
    let all: Vec<_> = portfolio::generate(&spec).collect();
    let now = on.and_hms_opt(12, 0, 0).unwrap().and_utc();
    recouvre_store::cases::open_many(&db.store, &all, "system:test", now).await.unwrap();
}

async fn third_party(store: &Store, kind: &str, name: &str) -> i64 {
    let party = NewThirdParty {
        kind: kind.to_string(),
        name: name.to_string(),
        address: "1 rue de la Paix, 75002 Paris".to_string(),
        email: None,
        phone: None,
        jurisdiction: None,
        fee_terms: None,
    };
    recouvre_store::team::create_third_party(store, &party, Utc::now()).await.unwrap()
}

/// Plays procedure steps on a case, in order, as the team lead; `Err` at the first refusal.
async fn steps(
    store: &Store,
    case_id: i64,
    kind: ProcedureKind,
    steps: &[(Step, NaiveDate, StepInput, Option<i64>)],
) -> Result<(), String> {
    let rules = recouvre_store::workflow::rules(store).await.unwrap();
    for (step, on, input, third_party_id) in steps {
        let request = StepRequest {
            kind,
            step: *step,
            on: *on,
            input: input.clone(),
            third_party_id: *third_party_id,
            // A step's costs are paid to its third party: the invoice's account.
            invoice: StepInvoice {
                iban: input.costs.map(|_| "FR7630006000011234567890189".to_string()),
                ..StepInvoice::default()
            },
        };
        let actor = recouvre_store::approvals::Actor { login: "chef", level: DelegationLevel(3) };
        recouvre_store::procedure_steps::apply_step(store, case_id, None, &request, &rules, actor, Utc::now())
            .await
            .map_err(|error| error.to_string())?;
    }
    Ok(())
}

async fn pay(store: &Store, case_id: i64, amount: Money, on: NaiveDate, reference: &str) {
    let entry = Entry { booked_on: on, reference, actor: "amartin", now: Utc::now() };
    recouvre_store::payments::book_payment(
        store,
        case_id,
        None,
        amount,
        AllocationOrder::CostsInterestPrincipal,
        &entry,
    )
    .await
    .unwrap();
}

/// Money received (bank receipts) per case, booked in `(after, up_to]`.
async fn receipts_by_case(store: &Store, after: i64, up_to: i64) -> BTreeMap<i64, i64> {
    let rows: Vec<(i64, i64)> = sql::query_as(
        "SELECT p.case_id, CAST(SUM(p.amount_cents) AS BIGINT) FROM ledger_postings p \
         WHERE p.transaction_id > $1 AND p.transaction_id <= $2 AND p.account = 'bank_receipts' \
         AND p.case_id IS NOT NULL GROUP BY p.case_id",
    )
    .bind(after)
    .bind(up_to)
    .fetch_all(store)
    .await
    .unwrap();
    rows.into_iter().collect()
}

async fn status_of(store: &Store, case_id: i64) -> String {
    sql::query_scalar("SELECT status FROM cases WHERE id = $1").bind(case_id).fetch_one(store).await.unwrap()
}

#[tokio::test]
async fn every_total_of_the_pack_reconciles_with_the_ledger() {
    let db = TestDb::new().await;
    db.user_with_level("amartin", Role::Officer, "correct horse battery", 1).await;
    db.user_with_level("bdurand", Role::Officer, "correct horse battery", 1).await;
    db.user_with_level("chef", Role::TeamLead, "correct horse battery", 3).await;
    let month = Month::of(today());
    let previous_end = month.previous().last_day();
    // The portfolio entered litigation about three months before the month: every night after
    // it charges interest on what was transferred.
    let seeded_on = month.previous().first_day() - Duration::days(75);
    seed_on(&db, 60, &["amartin", "bdurand"], seeded_on).await;
    let agency = third_party(&db.store, "agency", "Agence Recouvrex").await;
    let bailiff = third_party(&db.store, "commissaire_de_justice", "SCP Huissiers Réunis").await;

    let open_cases: Vec<(i64, i64)> =
        sql::query_as("SELECT id, total_cents FROM cases WHERE status <> 'closed' ORDER BY id")
            .fetch_all(&db.store)
            .await
            .unwrap();
    // A case gets an enforceable title through a payment order before the month (no bailiff
    // named yet): served, then enforceable once the opposition month has run.
    let none = StepInput::default;
    let title = |served: NaiveDate| {
        vec![
            (Step::PrepareRequest, seeded_on + Duration::days(1), none(), None),
            (Step::FileRequest, seeded_on + Duration::days(2), none(), None),
            (Step::RecordOrderGranted, seeded_on + Duration::days(9), none(), None),
            (Step::ServeOrder, served, none(), None),
            (Step::RecordEnforceable, served + Duration::days(40), none(), None),
        ]
    };
    let mut titled = None;
    for (case_id, _) in open_cases.iter().skip(30) {
        if steps(&db.store, *case_id, ProcedureKind::PaymentOrder, &title(seeded_on + Duration::days(12))).await.is_ok()
        {
            titled = Some(*case_id);
            break;
        }
    }
    let bailiff_case = titled.expect("a case gets an enforceable title");

    // The previous month's last night: the starting point.
    run(&db.store, previous_end).await;
    let boundary = last_transaction_id(&db.store).await;
    let before = ledger_by_case(&db.store, boundary).await;

    // The month's nights up to the day of the payments, then that day's activity, then the
    // nights up to today.
    let day = month.first_day().max(today() - Duration::days(3)).min(today());
    let mut night = month.first_day();
    while night < day {
        run(&db.store, night).await;
        night += Duration::days(1);
    }
    for (i, (case_id, total)) in open_cases.iter().enumerate().take(12) {
        pay(&db.store, *case_id, Money::from_cents((total / 50).clamp(1_000, 30_000)), day, &format!("chèque {i}"))
            .await;
    }
    // Two cases placed with the agency, one seizure by the bailiff, each paying something.
    let mut placed = Vec::new();
    for (case_id, _) in open_cases.iter().skip(40) {
        let placement = StepInput { commission_percent: Some(Decimal::new(125, 1)), ..StepInput::default() };
        if steps(&db.store, *case_id, ProcedureKind::Agency, &[(Step::PlaceWithAgency, day, placement, Some(agency))])
            .await
            .is_ok()
        {
            placed.push(*case_id);
        }
        if placed.len() == 2 {
            break;
        }
    }
    assert_eq!(placed.len(), 2, "two cases placed with the agency");
    let seizure = StepInput { costs: Some(Money::euros(120)), ..StepInput::default() };
    steps(
        &db.store,
        bailiff_case,
        ProcedureKind::EnforcementBank,
        &[(Step::ServeBankSeizure, day, seizure, Some(bailiff))],
    )
    .await
    .unwrap();
    pay(&db.store, placed[0], Money::euros(250), day, "virement agence 1").await;
    pay(&db.store, placed[1], Money::euros(75), day, "virement agence 2").await;
    pay(&db.store, bailiff_case, Money::euros(410), day, "saisie-attribution").await;
    // The second file is recalled from the agency after its payment, before the night counts
    // it: the money is still the agency's (the channel is the case's state at booking).
    steps(&db.store, placed[1], ProcedureKind::Agency, &[(Step::RecallFile, day, StepInput::default(), None)])
        .await
        .unwrap();
    // A small write-off within delegation, booked; a large one waits for the committee.
    let (small_case, _) = open_cases[20];
    let small = Breakdown { principal: Money::euros(100), ..Breakdown::default() };
    let entry = Entry { booked_on: day, reference: "pertes", actor: "amartin", now: Utc::now() };
    recouvre_store::ledger::book_write_off(&db.store, small_case, None, &small, &entry).await.unwrap();
    let (large_case, large_total) = *open_cases
        .iter()
        .filter(|(id, total)| *total > 700_000 && !placed.contains(id) && *id != bailiff_case)
        .max_by_key(|(_, total)| *total)
        .expect("a large case");
    let detail = recouvre_store::cases::detail(&db.store, large_case).await.unwrap();
    let large = Breakdown {
        principal: Money::from_cents(large_total.min(detail.breakdown.principal.cents())),
        ..Breakdown::default()
    };
    let outcome = recouvre_store::approvals::propose_write_off(
        &db.store,
        large_case,
        detail.version,
        &large,
        "débiteur insolvable, procès-verbal de carence",
        recouvre_store::approvals::Actor { login: "amartin", level: DelegationLevel(1) },
        Utc::now(),
    )
    .await
    .unwrap();
    assert!(matches!(outcome, recouvre_store::approvals::WriteOffOutcome::Pending { .. }));

    // The month's nights from the payments' day to today (the month is not over).
    let as_of = today();
    let mut night = day;
    while night <= as_of {
        run(&db.store, night).await;
        night += Duration::days(1);
    }
    let end = last_transaction_id(&db.store).await;
    let after = ledger_by_case(&db.store, end).await;

    let pack = recouvre_store::committee::pack(&db.store, month).await.unwrap();
    assert_eq!(pack.as_of, as_of);
    assert_eq!(pack.previous_as_of, Some(previous_end));

    // Portfolio: the snapshot equals the ledger's receivables of the open cases, line by line.
    let now_groups = outstanding_by(&after, as_of);
    let ledger_total: i64 = now_groups.values().map(|(_, cents)| cents).sum();
    let ledger_cases: i64 = now_groups.values().map(|(cases, _)| cases).sum();
    assert_eq!(pack.portfolio.total.outstanding.cents(), ledger_total);
    assert_eq!(pack.portfolio.total.cases, ledger_cases);
    let prev_groups = outstanding_by(&before, previous_end);
    assert_eq!(pack.portfolio.total.previous_outstanding.cents(), prev_groups.values().map(|(_, c)| c).sum::<i64>());
    for line in &pack.portfolio.by_stage {
        let ledger: i64 =
            now_groups.iter().filter(|((status, _, _), _)| *status == line.code).map(|(_, (_, c))| c).sum();
        assert_eq!(line.outstanding.cents(), ledger, "stage {}", line.code);
    }
    for line in &pack.portfolio.by_nature {
        let ledger: i64 =
            now_groups.iter().filter(|((_, nature, _), _)| *nature == line.code).map(|(_, (_, c))| c).sum();
        assert_eq!(line.outstanding.cents(), ledger, "nature {}", line.code);
    }
    for line in &pack.portfolio.by_age {
        let ledger: i64 =
            now_groups.iter().filter(|((_, _, bucket), _)| *bucket == line.code).map(|(_, (_, c))| c).sum();
        assert_eq!(line.outstanding.cents(), ledger, "age {}", line.code);
    }
    let by_officer: i64 = pack.portfolio.by_officer.iter().map(|line| line.outstanding.cents()).sum();
    assert_eq!(by_officer, ledger_total);

    // Flows: every account's debits and credits are the ledger's debit and credit postings booked
    // during the month, gross, and so is their number.
    let (all, on_cases) = movements(&db.store, boundary, end).await;
    let gross = gross_movements(&db.store, boundary, end).await;
    for line in &pack.flows.by_account {
        let net = line.debits.cents() - line.credits.cents();
        assert_eq!(net, all.get(&line.account).copied().unwrap_or(0), "account {}", line.account);
        let (debits, credits, postings) = gross.get(&line.account).copied().unwrap_or_default();
        assert_eq!(
            (line.debits.cents(), line.credits.cents(), line.postings),
            (debits, credits, postings),
            "account {}",
            line.account
        );
    }
    for (account, (debits, credits, _)) in &gross {
        if *debits != 0 || *credits != 0 {
            assert!(pack.flows.by_account.iter().any(|line| &line.account == account), "account {account} missing");
        }
    }
    // Some account moves both ways in the month (a payment credits what it settles, a reversal
    // or an accrual debits it): gross differs from net there.
    assert!(
        pack.flows.by_account.iter().any(|line| line.debits.is_positive() && line.credits.is_positive()),
        "{:?}",
        pack.flows.by_account
    );
    for (account, cents) in &all {
        if *cents != 0 {
            assert!(pack.flows.by_account.iter().any(|line| &line.account == account), "account {account} missing");
        }
    }
    assert_eq!(pack.flows.recovered.cents(), on_cases.get("bank_receipts").copied().unwrap_or(0));
    assert!(pack.flows.recovered.is_positive());
    let by_channel: Money = pack.flows.recovered_by_channel.iter().map(|line| line.amount).sum();
    assert_eq!(by_channel, pack.flows.recovered);
    assert_eq!(pack.flows.written_off.cents(), all.get("written_off").copied().unwrap_or(0));
    assert_eq!(pack.flows.written_off, Money::euros(100));
    let charged: i64 = {
        sql::query_scalar::<Option<i64>>(
        "SELECT CAST(SUM(p.amount_cents) AS BIGINT) FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE t.id > $1 AND t.id <= $2 AND t.kind = 'accrual' AND p.account IN ('contractual_interest', 'statutory_interest')"
    )
    .bind(boundary)
    .bind(end)
    .fetch_one(&db.store)
    .await
    .unwrap()
    .unwrap_or(0)
    };
    assert_eq!(pack.flows.interest_charged.cents(), charged);
    assert!(charged > 0, "the month's nights charged interest");

    // Recoveries by channel: each case's receipts, under the channel of the case when the money
    // was booked (its open procedure, else its status).
    let receipts = receipts_by_case(&db.store, boundary, end).await;
    let mut expected_by_channel: BTreeMap<Channel, i64> = BTreeMap::new();
    for (case_id, cents) in &receipts {
        let channel = if placed.contains(case_id) {
            Channel::Agency
        } else if *case_id == bailiff_case {
            Channel::Bailiff
        } else {
            Channel::of(Some(&status_of(&db.store, *case_id).await), None)
        };
        *expected_by_channel.entry(channel).or_insert(0) += cents;
    }
    for line in &pack.flows.recovered_by_channel {
        assert_eq!(
            line.amount.cents(),
            expected_by_channel.get(&line.channel).copied().unwrap_or(0),
            "channel {}",
            line.label
        );
    }
    let channel = |channel: Channel| {
        pack.flows.recovered_by_channel.iter().find(|line| line.channel == channel).map(|line| line.amount).unwrap()
    };
    assert!(channel(Channel::Agency) >= Money::euros(325), "the agency's cases paid");
    assert!(channel(Channel::Bailiff) >= Money::euros(410), "the seizure paid");
    assert!(channel(Channel::Amicable).is_positive());

    // Agencies and bailiffs compared, from the procedures and the ledger.
    let party =
        |id: i64| pack.third_parties.iter().find(|line| line.input.id == id).expect("the third party is listed");
    let outstanding = |ids: &[i64]| -> Money {
        ids.iter()
            .map(|id| {
                let cents: i64 = after
                    .iter()
                    .filter(|row| row.0 == *id && RECEIVABLES.contains(&row.4.as_str()))
                    .map(|row| row.5)
                    .sum();
                Money::from_cents(cents)
            })
            .sum()
    };
    let received = |ids: &[i64]| Money::from_cents(ids.iter().map(|id| receipts.get(id).copied().unwrap_or(0)).sum());
    let agency_line = party(agency);
    assert_eq!((agency_line.input.placed, agency_line.input.placed_in_month), (2, 2));
    assert_eq!(agency_line.input.kind, "agency");
    assert_eq!(agency_line.recovered_in_month, received(&placed));
    assert_eq!(agency_line.recovered_in_month, Money::euros(325));
    assert_eq!(agency_line.input.recovered_to_date, Money::euros(325));
    assert_eq!(agency_line.input.finished, 1, "the recalled file");
    assert_eq!(agency_line.input.outstanding, outstanding(&placed[..1]), "what the open placement still owes");
    assert!(agency_line.rate.is_some_and(|rate| rate > Decimal::ZERO));
    let bailiff_line = party(bailiff);
    assert_eq!(bailiff_line.input.kind, "bailiff");
    assert_eq!((bailiff_line.input.placed, bailiff_line.input.placed_in_month), (1, 1));
    assert_eq!(bailiff_line.recovered_in_month, received(&[bailiff_case]));
    assert_eq!(bailiff_line.recovered_in_month, Money::euros(410));
    assert_eq!(bailiff_line.input.costs, Money::euros(120));
    assert_eq!(bailiff_line.input.outstanding, outstanding(&[bailiff_case]));
    assert!(bailiff_line.rate.is_some_and(|rate| rate > Decimal::ZERO));

    // Provisions: each (stage, age) cell is the ledger's outstanding times the policy's rate.
    let policy = ProvisioningPolicy::embedded();
    let rates = policy.in_force(as_of).unwrap();
    let mut cells: BTreeMap<(String, String), i64> = BTreeMap::new();
    for ((status, _, bucket), (_, cents)) in &now_groups {
        *cells.entry((status.clone(), bucket.clone())).or_insert(0) += cents;
    }
    let expected: Money = cells
        .iter()
        .map(|((status, bucket), cents)| committee::provision(Money::from_cents(*cents), rates.rate(status, bucket)))
        .sum();
    assert_eq!(pack.provisions.total, expected);
    assert_eq!(pack.provisions.movement, pack.provisions.total - pack.provisions.previous_total);
    assert!(pack.provisions.total.is_positive());

    // Decisions: the write-off above the officer's delegation, with its case.
    assert_eq!(pack.decisions.len(), 1);
    assert_eq!(pack.decisions[0].case.case_id, large_case);
    assert_eq!(pack.decisions[0].kind, "write_off");
    assert_eq!(pack.largest.len() as i64, recouvre_store::committee::LARGEST_EXPOSURES.min(ledger_cases));
    assert!(pack.largest.windows(2).all(|pair| pair[0].outstanding >= pair[1].outstanding));

    // Made twice, the pack and its files are the same.
    let again = recouvre_store::committee::pack(&db.store, month).await.unwrap();
    assert_eq!(again, pack);
    assert_eq!(again.to_csv(), pack.to_csv());
    let files = recouvre_app::committee::files::render_all(&pack).unwrap();
    let files_again = recouvre_app::committee::files::render_all(&again).unwrap();
    assert!(files.pdf.starts_with(b"%PDF"));
    assert!(files.xlsx.starts_with(b"PK"));
    let charts: Vec<String> =
        recouvre_app::committee::files::charts(&pack).unwrap().into_iter().map(|c| c.svg).collect();
    let charts_again: Vec<String> =
        recouvre_app::committee::files::charts(&again).unwrap().into_iter().map(|c| c.svg).collect();
    if std::env::var("COMMITTEE_DUMP").is_ok() {
        for (i, (a, b)) in charts.iter().zip(&charts_again).enumerate() {
            std::fs::write(format!("/tmp/chart{i}a.svg"), a).unwrap();
            std::fs::write(format!("/tmp/chart{i}b.svg"), b).unwrap();
        }
    }
    assert!(charts == charts_again, "the charts are the same when drawn twice");
    if std::env::var("COMMITTEE_DUMP").is_ok() {
        std::fs::write("/tmp/pack1.pdf", &files.pdf).unwrap();
        std::fs::write("/tmp/pack2.pdf", &files_again.pdf).unwrap();
    }
    assert!(files.pdf == files_again.pdf, "the PDF is the same when made twice");
    assert!(files.xlsx == files_again.xlsx, "the XLSX is the same when made twice");
    assert_eq!(files.csv, files_again.csv);

    // A rerun of a closed night counts nothing twice.
    let flows_before = recouvre_store::committee::daily_flows(&db.store, month.first_day(), as_of).await.unwrap();
    run(&db.store, as_of).await;
    let flows_after = recouvre_store::committee::daily_flows(&db.store, month.first_day(), as_of).await.unwrap();
    assert_eq!(flows_before, flows_after);
}

#[tokio::test]
async fn a_month_without_a_closed_night_says_which_run_to_launch() {
    let db = TestDb::new().await;
    let error = recouvre_store::committee::pack(&db.store, "2026-10".parse().unwrap()).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("recouvre batch --as-of 2026-10-31"), "{message}");
}

#[tokio::test]
async fn the_committee_page_the_cockpit_and_the_exports_answer() {
    let db = TestDb::new().await;
    db.user_with_level("amartin", Role::Officer, "correct horse battery", 1).await;
    db.user_with_level("chef", Role::TeamLead, "correct horse battery", 3).await;
    let viewer = db.user("comite", Role::CommitteeViewer, "correct horse battery").await;
    let token = db.token(viewer).await;
    db.seed(30, &["amartin"]).await;
    run(&db.store, today()).await;
    let month = Month::of(today()).code();
    let app = recouvre_testkit::TestApp::spawn_on(db).await;

    let lead = app.login("chef", "correct horse battery").await;
    let page = lead.get(app.url(&format!("/comites?mois={month}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Comité des risques et du contentieux"), "{html}");
    assert!(html.contains("<svg"), "the charts are shown");
    assert!(html.contains("/dossiers?status="), "the stages link to their cases");
    let pdf = lead.get(app.url(&format!("/comites/{month}/dossier.pdf"))).send().await.unwrap();
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let missing = lead.get(app.url("/comites?mois=2019-01")).send().await.unwrap().text().await.unwrap();
    assert!(missing.contains("recouvre batch --as-of 2019-01-31"), "the page says which run to launch");

    let cockpit = lead.get(app.url("/cockpit")).send().await.unwrap();
    assert_eq!(cockpit.status(), 200);
    let html = cockpit.text().await.unwrap();
    assert!(html.contains("Charge par gestionnaire") && html.contains("/dossiers?officer="), "{html}");

    let client = reqwest::Client::new();
    let json: serde_json::Value = client
        .get(app.url(&format!("/api/v1/reports/committee/{month}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["month"], month);
    assert!(json["portfolio"]["total"]["cases"].as_i64().unwrap() > 0);
    let csv = client
        .get(app.url(&format!("/api/v1/snapshots?from={}&to={}", today(), today())))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("as_of;main_nature;status;age_bucket;officer_id;cases;outstanding;interest\n"));
    assert!(csv.lines().count() > 1);
    let flows = client
        .get(app.url(&format!("/api/v1/flows?from={}&to={}", today(), today())))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(flows.contains(";opening;transferred;"), "{flows}");
    let openapi =
        client.get(app.url("/api/v1/openapi.json")).bearer_auth(&token).send().await.unwrap().text().await.unwrap();
    assert!(openapi.contains("/api/v1/reports/committee/{month}") && openapi.contains("/api/v1/snapshots"));
    let refused = client.get(app.url(&format!("/api/v1/reports/committee/{month}"))).send().await.unwrap();
    assert_eq!(refused.status(), 401);
}

/// Undoes the template's HTML escaping of an attribute (`&amp;`, `&#x2f;`, `&#61;`…).
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let entity = &rest[start..];
        let end = entity.find(';').expect("an entity ends with ;");
        let name = &entity[1..end];
        let decoded = match name {
            "amp" => '&',
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            _ if name.starts_with("#x") || name.starts_with("#X") => {
                char::from_u32(u32::from_str_radix(&name[2..], 16).unwrap()).unwrap()
            }
            _ => char::from_u32(name[1..].parse().unwrap()).unwrap(),
        };
        out.push(decoded);
        rest = &entity[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The links of a page whose text is a number: (href, number).
fn counted_links(html: &str, prefix: &str) -> Vec<(String, i64)> {
    let mut links = Vec::new();
    for part in html.split("<a ").skip(1) {
        let Some(start) = part.find("href=\"") else { continue };
        let rest = &part[start + 6..];
        let Some(end) = rest.find('"') else { continue };
        let href = unescape(&rest[..end]);
        let Some(text_start) = rest.find('>') else { continue };
        let Some(text_end) = rest.find("</a>") else { continue };
        let text = rest[text_start + 1..text_end].trim();
        // A count ("12", "12 dossiers"), not an amount ("1 234,56 €").
        let number = text.strip_suffix(" dossiers").unwrap_or(text).parse::<i64>().ok();
        if let (true, Some(number)) = (href.starts_with(prefix), number) {
            links.push((href, number));
        }
    }
    links
}

/// The case ids a case list shows, following its pages.
async fn listed_cases(app: &recouvre_testkit::TestApp, client: &reqwest::Client, href: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut next = Some(href.to_string());
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        assert!(pages < 50, "the pages of {href} end (at {url})");
        let response = client.get(app.url(&url)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let html = response.text().await.unwrap();
        let table = html.split("id=\"case-list\"").nth(1).unwrap_or("");
        for row in table.split("<td><a href=\"/dossiers/").skip(1) {
            ids.push(row[..row.find('"').unwrap()].parse().unwrap());
        }
        next = html
            .split("rel=\"next\"")
            .next()
            .filter(|_| html.contains("id=\"next-page\""))
            .and_then(|before| before.rsplit("href=\"").next())
            .map(|href| unescape(&href[..href.find('"').unwrap()]));
    }
    ids
}

#[tokio::test]
async fn every_number_of_the_cockpit_links_to_the_cases_it_counts() {
    let db = TestDb::new().await;
    db.user_with_level("amartin", Role::Officer, "correct horse battery", 1).await;
    db.user_with_level("bdurand", Role::Officer, "correct horse battery", 1).await;
    db.user_with_level("chef", Role::TeamLead, "correct horse battery", 3).await;
    db.seed(120, &["amartin", "bdurand"]).await;
    let open_cases: Vec<(i64, i64)> =
        sql::query_as("SELECT id, total_cents FROM cases WHERE status <> 'closed' ORDER BY id")
            .fetch_all(&db.store)
            .await
            .unwrap();
    // Formal notices sent ten days ago with a fortnight to pay: their cure periods end this week.
    let mut noticed = Vec::new();
    for (case_id, _) in &open_cases {
        let notice = StepInput { cure_days: Some(15), ..StepInput::default() };
        let on = today() - Duration::days(10);
        if steps(&db.store, *case_id, ProcedureKind::Amicable, &[(Step::SendFormalNotice, on, notice, None)])
            .await
            .is_ok()
        {
            noticed.push(*case_id);
        }
        if noticed.len() == 3 {
            break;
        }
    }
    assert_eq!(noticed.len(), 3);
    // Two write-offs above the officer's delegation wait for a decision.
    for (case_id, total) in open_cases.iter().filter(|(_, total)| *total > 700_000).take(2) {
        let detail = recouvre_store::cases::detail(&db.store, *case_id).await.unwrap();
        let amount = Breakdown {
            principal: Money::from_cents((*total).min(detail.breakdown.principal.cents())),
            ..Breakdown::default()
        };
        recouvre_store::approvals::propose_write_off(
            &db.store,
            *case_id,
            detail.version,
            &amount,
            "débiteur insolvable",
            recouvre_store::approvals::Actor { login: "amartin", level: DelegationLevel(1) },
            Utc::now(),
        )
        .await
        .unwrap();
    }
    // Two cases closed three days ago, one per officer: their own closure rows.
    let closed_on = today() - Duration::days(3);
    sql::query(
        "UPDATE cases SET status = 'closed', closed_on = $1 WHERE id IN \
         (SELECT MAX(id) FROM cases WHERE status <> 'closed' GROUP BY officer_id)",
    )
    .bind(closed_on)
    .execute(&db.store)
    .await
    .unwrap();
    // Money in suspense of each age: 2 items this week, 1 of a fortnight, 3 older than a month.
    for (n, days) in [2, 5, 14, 31, 45, 90].into_iter().enumerate() {
        let key = format!("cockpit-{n}");
        let held = recouvre_store::suspense::Held {
            received_on: today() - Duration::days(days),
            amount: Money::from_cents(10_000 + n as i64),
            payer_name: Some("INCONNU"),
            payer_iban: None,
            reference: None,
            suggested_case_id: None,
            reason: "aucune référence",
            source_key: &key,
        };
        recouvre_store::suspense::hold_one(&db.store, &held, "system:test", Utc::now()).await.unwrap().unwrap();
    }
    let app = recouvre_testkit::TestApp::spawn_on(db).await;
    let lead = app.login("chef", "correct horse battery").await;
    let html = lead.get(app.url("/cockpit")).send().await.unwrap().text().await.unwrap();

    let links = counted_links(&html, "/dossiers?");
    // The journal's actions link to the cases acted on: fewer cases than actions, checked below.
    let (action_links, links): (Vec<_>, Vec<_>) = links.into_iter().partition(|(href, _)| href.contains("actor="));
    // Workload (2 officers × 3 numbers), backlog by stage, the week's deadlines and approvals,
    // six weeks of closures, six weeks per officer who closed a case.
    assert!(links.len() >= 2 * 2 + 2 + 6 + 2 * 6, "{links:?}");
    for officer in ["amartin", "bdurand"] {
        let id: i64 = sql::query_scalar("SELECT id FROM users WHERE login = $1")
            .bind(officer)
            .fetch_one(&app.db.store)
            .await
            .unwrap();
        let closure = format!("status=closed&officer={id}&closed_from=");
        let closures: Vec<_> = links.iter().filter(|(href, _)| href.contains(&closure)).collect();
        assert_eq!(closures.len(), 6, "six weeks of {officer}'s closures: {links:?}");
        assert_eq!(closures.iter().map(|(_, n)| n).sum::<i64>(), 1, "{officer} closed one case: {closures:?}");
    }
    let mut nonzero = 0;
    for (href, counted) in &links {
        let listed = listed_cases(&app, &lead, href).await;
        assert_eq!(listed.len() as i64, *counted, "{href}");
        let unique: std::collections::BTreeSet<_> = listed.iter().collect();
        assert_eq!(unique.len(), listed.len(), "no case twice in {href}");
        if *counted > 0 {
            nonzero += 1;
        }
    }
    assert!(nonzero >= 6, "{links:?}");

    // The week's deadlines and the approvals: exactly the cases of their tables.
    let cases_of = |section: &str| -> std::collections::BTreeSet<i64> {
        let table = html.split(&format!("id=\"{section}\"")).nth(1).unwrap().split("</table>").next().unwrap();
        table
            .split("<td><a href=\"/dossiers/")
            .skip(1)
            .map(|row| row[..row.find('"').unwrap()].parse().unwrap())
            .collect()
    };
    let deadline_link = links.iter().find(|(href, _)| href.contains("deadline_before") && !href.contains("officer"));
    let (href, counted) = deadline_link.expect("the deadlines' link");
    let listed: std::collections::BTreeSet<i64> = listed_cases(&app, &lead, href).await.into_iter().collect();
    assert_eq!(listed, cases_of("deadlines"));
    assert!(noticed.iter().all(|id| listed.contains(id)) && *counted >= 3);
    let (href, counted) =
        links.iter().find(|(href, _)| href.contains("approval=pending")).expect("the approvals' link");
    let listed: std::collections::BTreeSet<i64> = listed_cases(&app, &lead, href).await.into_iter().collect();
    assert_eq!(listed, cases_of("approvals"));
    assert_eq!(*counted, 2);

    // Actions per user and week: the number is the journal events that user recorded that week,
    // the list the distinct cases they were recorded on.
    assert_eq!(action_links.len() % 6, 0, "six weeks per user: {action_links:?}");
    assert!(action_links.len() >= 2 * 6, "chef's notices and amartin's requests: {action_links:?}");
    let mut acted = 0;
    for (href, counted) in &action_links {
        let param = |name: &str| {
            href.split(['?', '&']).find_map(|pair| pair.strip_prefix(&format!("{name}="))).unwrap().to_string()
        };
        let (actor, from, to) = (param("actor"), param("active_from"), param("active_to"));
        let from: NaiveDate = from.parse().unwrap();
        let to: NaiveDate = to.parse().unwrap();
        let since = from.and_hms_opt(0, 0, 0).unwrap().and_utc();
        let until = to.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
        let events: Vec<i64> = sql::query_scalar(
            "SELECT case_id FROM case_events WHERE actor = $1 AND recorded_at >= $2 AND recorded_at < $3",
        )
        .bind(&actor)
        .bind(since)
        .bind(until)
        .fetch_all(&app.db.store)
        .await
        .unwrap();
        assert_eq!(events.len() as i64, *counted, "{href}");
        let listed: std::collections::BTreeSet<i64> = listed_cases(&app, &lead, href).await.into_iter().collect();
        assert_eq!(listed, events.iter().copied().collect(), "{href}");
        if *counted > 0 {
            acted += 1;
            assert!(!listed.is_empty());
        }
    }
    assert!(acted >= 2, "{action_links:?}");

    // Suspense by age: each number opens the suspense queue filtered to that age, with as many
    // items.
    let suspense = counted_links(&html, "/instance?");
    assert_eq!(suspense.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [2, 1, 3], "{suspense:?}");
    for (href, counted) in &suspense {
        let page = lead.get(app.url(href)).send().await.unwrap();
        assert_eq!(page.status(), 200, "{href}");
        let page = page.text().await.unwrap();
        let table = page.split("id=\"suspense\"").nth(1).unwrap_or("");
        let items = table.matches("action=\"/instance/").count() / 2;
        assert_eq!(items as i64, *counted, "{href}");
        assert!(page.contains("id=\"suspense-filter\""), "the page says it is filtered: {href}");
    }

    // A filter that does not parse says what to write.
    let refused = lead.get(app.url("/dossiers?deadline_before=demain")).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("AAAA-MM-JJ"));
}
