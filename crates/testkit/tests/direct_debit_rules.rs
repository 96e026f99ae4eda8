//! Direct debits as the SEPA Core rulebook wants them (issue 21, item 3), on the engine under
//! test: pre-notification (14 days by default, shorter if agreed on the mandate), the submission
//! cut-off, FRST/RCUR/FNAL, the 36-month expiry of an unused mandate in the nightly run, and
//! returns from camt.054 (.04 and .08 fixtures) booked with their reason code and the plan's
//! follow-up in the officer's agenda.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Months, NaiveDate, Utc};
use recouvre_app::batch::NightlyOptions;
use recouvre_app::direct_debits::{ExportOutcome, MandateInput};
use recouvre_app::{Actor, App};
use recouvre_domain::{calendar, direct_debit, Money};
use recouvre_iso20022::Pain008Version;
use recouvre_store::direct_debit_rules::{self, DirectDebitPolicy};
use recouvre_store::direct_debits::{self, HeldReason};
use recouvre_store::{sql, Store};
use recouvre_testkit::{app_on, today, TestDb};

const ACTOR: &str = "camille";
const DEBTOR_IBAN: &str = "FR7630006000011234567890189";

fn actor() -> Actor {
    Actor::system(ACTOR)
}

/// Open cases owing more than 2,000 €, in order.
async fn open_cases(store: &Store, count: i64) -> Vec<i64> {
    sql::query_scalar("SELECT id FROM cases WHERE status <> 'closed' AND total_cents > 200000 ORDER BY id LIMIT $1")
        .bind(count)
        .fetch_all(store)
        .await
        .unwrap()
}

async fn version(store: &Store, case_id: i64) -> i64 {
    recouvre_store::cases::detail(store, case_id).await.unwrap().version
}

/// Records a recurrent mandate through the use case the API and the case page call.
async fn record_mandate(
    app: &App,
    case_id: i64,
    rum: &str,
    signed_on: NaiveDate,
    prenotification_days: Option<u32>,
) -> Result<i64, recouvre_app::Error> {
    let input = MandateInput {
        rum: rum.to_string(),
        iban: DEBTOR_IBAN.to_string(),
        bic: None,
        signed_on,
        sequence: "recurrent".to_string(),
        prenotification_days,
    };
    let version = version(app.store(), case_id).await;
    recouvre_app::direct_debits::record_mandate(app, &actor(), case_id, version, &input).await
}

async fn plan(store: &Store, case_id: i64, schedule: &[(NaiveDate, Money)]) -> i64 {
    direct_debits::create_plan(store, case_id, None, schedule, ACTOR, Utc::now()).await.unwrap()
}

async fn export(app: &App, date: NaiveDate) -> Result<ExportOutcome, recouvre_app::Error> {
    recouvre_app::direct_debits::export(app, &actor(), date, Pain008Version::V02).await
}

async fn kinds(store: &Store, case_id: i64) -> Vec<String> {
    recouvre_store::journal::events(store, case_id).await.unwrap().into_iter().map(|event| event.kind).collect()
}

async fn plan_reminders(store: &Store, case_id: i64) -> Vec<String> {
    sql::query_scalar("SELECT label FROM agenda_items WHERE case_id = $1 AND code = 'plan_reminder' ORDER BY id")
        .bind(case_id)
        .fetch_all(store)
        .await
        .unwrap()
}

/// Pre-notified today, the first date the policy's 14 days allow.
fn collectable() -> NaiveDate {
    calendar::target2_business_day_on_or_after(today() + Duration::days(14))
}

#[tokio::test]
async fn an_instalment_not_prenotified_in_time_is_held_and_the_cut_off_refuses_late_files() {
    let db = TestDb::new().await;
    let store = &db.store;
    let app = app_on(store).await;
    db.seed(20, &[]).await;
    let cases = open_cases(store, 3).await;
    let (policy_case, agreed_case, notice_case) = (cases[0], cases[1], cases[2]);
    let policy = recouvre_app::direct_debits::policy(&app).await.unwrap();
    assert_eq!((policy.prenotification_days, policy.cut_off_business_days, policy.mandate_expiry_months), (14, 1, 36));

    // A date whose file may still be sent (D-1) and at least 2 days away.
    let near = calendar::target2_business_day_on_or_after(
        direct_debit::earliest_collection_date(today(), 1).max(today() + Duration::days(2)),
    );
    let amount = Money::from_cents(4_000);
    plan(store, policy_case, &[(near, amount), (collectable() + Duration::days(31), amount)]).await;
    plan(store, agreed_case, &[(near, amount), (near + Duration::days(31), amount)]).await;
    // An agreed period longer than the policy's is refused, naming the field.
    let refused = record_mandate(&app, agreed_case, "RUM-AGREED-1", today(), Some(20)).await.unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("prenotification_days"), "{refused}");
    // The mandates: the policy's 14 days on one case, 2 days agreed on the other. Each plan's
    // schedule pre-notifies its instalments today, journaled.
    record_mandate(&app, policy_case, "RUM-POLICY-1", today(), None).await.unwrap();
    record_mandate(&app, agreed_case, "RUM-AGREED-1", today(), Some(2)).await.unwrap();
    for case_id in [policy_case, agreed_case] {
        let notices = direct_debit_rules::prenotifications(store, case_id).await.unwrap();
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices.iter().all(|n| n.notified_on == today() && n.means == "schedule"), "{notices:?}");
        assert!(kinds(store, case_id).await.contains(&"direct_debit_prenotified".to_string()));
    }

    // The cut-off: today's file cannot collect on the first TARGET2 day that is not after
    // tomorrow's deadline; the message gives the first date still possible. Nothing is booked.
    let too_late = calendar::target2_business_day_on_or_after(today());
    let error = export(&app, too_late).await.unwrap_err();
    assert_eq!(error.code, "direct_debit_cut_off_passed", "{error}");
    let earliest = direct_debit::earliest_collection_date(today(), 1).format("%d/%m/%Y").to_string();
    assert!(error.to_string().contains(&earliest), "{error}");
    assert!(direct_debits::exports(store, 10).await.unwrap().is_empty());

    // On `near`, the case with 2 agreed days is collected; the other, pre-notified too late for
    // its 14 days, is held with the first date it may be collected, not dropped.
    let outcome = export(&app, near).await.unwrap();
    let (_, summary) = outcome.file.expect("the agreed case's instalment");
    assert_eq!(summary.debits.iter().map(|d| d.case_id).collect::<Vec<_>>(), [agreed_case], "{summary:?}");
    let held: Vec<_> = outcome.held.iter().filter(|h| h.case_id == policy_case).collect();
    assert_eq!(held.len(), 1, "{:?}", outcome.held);
    assert_eq!(
        (held[0].reason, held[0].earliest, held[0].number),
        (HeldReason::PrenotifiedLate, Some(collectable()), 1)
    );
    assert!(held[0].message.contains("14 jours"), "{}", held[0].message);
    let view = direct_debits::plan(store, policy_case).await.unwrap().unwrap();
    assert_eq!(view.instalments[0].status, "due", "held, still due");
    // On the first date its notice allows, it is collected (FRST).
    let outcome = export(&app, collectable()).await.unwrap();
    let (xml, summary) = outcome.file.expect("the held instalment, now in time");
    assert!(summary.debits.iter().any(|d| d.case_id == policy_case && d.number == 1 && d.sequence_type == "FRST"));
    assert!(xml.contains("<MndtId>RUM-POLICY-1</MndtId>"), "{xml}");

    // Never notified under its mandate: held as such; the nightly run's notice fixes it, for a
    // date 14 days after the notice.
    let due = collectable() + Duration::days(3);
    plan(store, notice_case, &[(due, amount)]).await;
    record_mandate(&app, notice_case, "RUM-NOTICE-1", today(), None).await.unwrap();
    sql::query("DELETE FROM direct_debit_prenotifications WHERE case_id = $1")
        .bind(notice_case)
        .execute(store)
        .await
        .unwrap();
    let date = calendar::target2_business_day_on_or_after(due);
    let outcome = export(&app, date).await.unwrap();
    assert!(outcome.file.is_none(), "nothing else is due");
    assert_eq!(
        outcome.held.iter().map(|h| (h.case_id, h.reason)).collect::<Vec<_>>(),
        [(notice_case, HeldReason::NotPrenotified)]
    );
    let policy = DirectDebitPolicy::default();
    // Too far ahead (more than 14 + 7 days) for tonight: no notice yet.
    let early = due - Duration::days(22);
    let run = direct_debit_rules::send_prenotifications(store, early, &policy, "batch", Utc::now()).await.unwrap();
    assert_eq!(run.instalments, 0);
    let run = direct_debit_rules::send_prenotifications(store, today(), &policy, "batch", Utc::now()).await.unwrap();
    assert_eq!((run.cases, run.instalments), (1, 1));
    let again = direct_debit_rules::send_prenotifications(store, today(), &policy, "batch", Utc::now()).await.unwrap();
    assert_eq!(again.instalments, 0, "idempotent");
    let notices = direct_debit_rules::prenotifications(store, notice_case).await.unwrap();
    assert_eq!((notices.len(), notices[0].means.as_str(), notices[0].notified_on), (1, "notice", today()));
    let (_, summary) = export(&app, date).await.unwrap().file.expect("notified in time now");
    assert_eq!(summary.debits[0].case_id, notice_case);
    assert!(recouvre_store::ledger::check(store).await.unwrap().is_clean());
    assert_eq!(recouvre_store::journal::verify_all(store).await.unwrap().first_break, None);
}

#[tokio::test]
async fn a_plan_is_collected_frst_then_rcur_and_its_last_instalment_fnal() {
    let db = TestDb::new().await;
    let store = &db.store;
    let app = app_on(store).await;
    db.seed(10, &[]).await;
    let case_id = open_cases(store, 1).await[0];
    let amount = Money::from_cents(2_500);
    // Four weekly instalments: three caught up in one file, the last one later.
    let first = collectable();
    let schedule: Vec<(NaiveDate, Money)> = (0..4).map(|n| (first + Duration::days(7 * n), amount)).collect();
    plan(store, case_id, &schedule).await;
    record_mandate(&app, case_id, "RUM-SEQ-1", today(), None).await.unwrap();
    let (xml, summary) = export(&app, calendar::target2_business_day_on_or_after(first + Duration::days(14)))
        .await
        .unwrap()
        .file
        .unwrap();
    let sequences: Vec<&str> = summary.debits.iter().map(|d| d.sequence_type).collect();
    assert_eq!(sequences, ["FRST", "RCUR", "RCUR"], "{summary:?}");
    assert_eq!((summary.first, summary.recurrent, summary.last), (1, 2, 0));
    recouvre_iso20022::validate(recouvre_iso20022::Message::Pain008V02, xml.as_bytes()).unwrap();
    let (xml, summary) = recouvre_app::direct_debits::export(
        &app,
        &actor(),
        calendar::target2_business_day_on_or_after(first + Duration::days(21)),
        Pain008Version::V08,
    )
    .await
    .unwrap()
    .file
    .unwrap();
    assert_eq!(summary.debits.iter().map(|d| d.sequence_type).collect::<Vec<_>>(), ["FNAL"]);
    assert_eq!(summary.last, 1);
    assert!(xml.contains("<SeqTp>FNAL</SeqTp>"), "{xml}");
    recouvre_iso20022::validate(recouvre_iso20022::Message::Pain008V08, xml.as_bytes()).unwrap();
    let view = direct_debits::plan(store, case_id).await.unwrap().unwrap();
    assert_eq!(view.plan.status, "completed");
    let stored: Vec<Option<&str>> = view.instalments.iter().map(|i| i.sequence_type.as_deref()).collect();
    assert_eq!(stored, [Some("FRST"), Some("RCUR"), Some("RCUR"), Some("FNAL")]);
}

/// The nightly run of `as_of`, as `recouvre batch` runs it.
async fn night(app: &App, as_of: NaiveDate) -> recouvre_app::batch::NightlyOutcome {
    let options = NightlyOptions {
        as_of,
        chunk_cases: 100,
        workers: 1,
        lease: StdDuration::from_secs(30),
        process_name: "test:1".to_string(),
    };
    recouvre_app::batch::nightly_run(app, &Actor::system("batch"), &options, Arc::new(recouvre_store::batch::Silent))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_mandate_unused_for_36_months_expires_at_night_and_its_plan_is_flagged() {
    let db = TestDb::new().await;
    let store = &db.store;
    let app = app_on(store).await;
    db.seed(10, &[]).await;
    let cases = open_cases(store, 2).await;
    let (old_case, recent_case) = (cases[0], cases[1]);
    let months_ago = |months: u32| today().checked_sub_months(Months::new(months)).unwrap();
    record_mandate(&app, old_case, "RUM-OLD-1", months_ago(36), None).await.unwrap();
    record_mandate(&app, recent_case, "RUM-RECENT-1", months_ago(35), None).await.unwrap();
    let due = collectable();
    plan(store, old_case, &[(due, Money::from_cents(3_000))]).await;

    let outcome = night(&app, today()).await;
    let expired = &outcome.direct_debits.mandates_expired;
    assert_eq!(expired.iter().map(|m| (m.case_id, m.plan_flagged)).collect::<Vec<_>>(), [(old_case, true)]);
    assert_eq!(direct_debits::mandates(store, old_case).await.unwrap()[0].status, "expired");
    assert_eq!(direct_debits::mandates(store, recent_case).await.unwrap()[0].status, "active");
    assert!(kinds(store, old_case).await.contains(&"mandate_expired".to_string()));
    let reminders = plan_reminders(store, old_case).await;
    assert!(reminders.iter().any(|label| label.contains("RUM-OLD-1") && label.contains("caduc")), "{reminders:?}");
    // The export never uses it: its instalment is held, naming the expiry.
    let outcome = export(&app, due).await.unwrap();
    assert!(outcome.file.is_none(), "{:?}", outcome.file);
    assert_eq!(
        outcome.held.iter().map(|h| (h.case_id, h.reason)).collect::<Vec<_>>(),
        [(old_case, HeldReason::MandateExpired)]
    );
    assert!(outcome.held[0].message.contains("caduc"), "{}", outcome.held[0].message);
    // The next night changes nothing more.
    let again = night(&app, today()).await;
    assert!(again.direct_debits.mandates_expired.is_empty());
    assert_eq!(plan_reminders(store, old_case).await.len(), reminders.len());
    // A collection restarts the 36 months: the recent mandate, collected today + 14, does not
    // expire a month later.
    plan(store, recent_case, &[(due, Money::from_cents(3_000))]).await;
    let (_, summary) = export(&app, due).await.unwrap().file.expect("the recent mandate's instalment");
    assert_eq!(summary.debits[0].case_id, recent_case);
    let later = direct_debit_rules::expire_mandates(
        store,
        due + Duration::days(40),
        &DirectDebitPolicy::default(),
        "batch",
        Utc::now(),
    )
    .await
    .unwrap();
    assert!(later.is_empty(), "{later:?}");
    assert_eq!(recouvre_store::journal::verify_all(store).await.unwrap().first_break, None);
}

/// The fixture `name` of the iso20022 crate, its returns made ours (end-to-end ids, dates, our
/// collection account).
fn fixture(name: &str, replacements: &[(&str, &str)]) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../iso20022/tests/data").join(name);
    let mut text = std::fs::read_to_string(path).unwrap();
    for (from, to) in replacements {
        assert!(text.contains(from), "{name} has {from}");
        text = text.replace(from, to);
    }
    text
}

#[tokio::test]
async fn camt054_returns_are_booked_with_their_reason_and_the_plan_follow_up() {
    let db = TestDb::new().await;
    let store = &db.store;
    let app = app_on(store).await;
    db.seed(20, &[]).await;
    let cases = open_cases(store, 3).await;
    let date = collectable();
    // One instalment each, of the fixtures' amounts, collected in one file.
    for (case_id, cents, rum) in
        [(cases[0], 12_000, "RUM-RET-1"), (cases[1], 8_000, "RUM-RET-2"), (cases[2], 15_000, "RUM-RET-3")]
    {
        plan(
            store,
            case_id,
            &[(date, Money::from_cents(cents)), (date + Duration::days(31), Money::from_cents(cents))],
        )
        .await;
        record_mandate(&app, case_id, rum, today(), None).await.unwrap();
    }
    let (_, summary) = export(&app, date).await.unwrap().file.unwrap();
    let e2e = |case_id: i64| summary.debits.iter().find(|d| d.case_id == case_id).unwrap().end_to_end_id.clone();
    let booked = date.to_string();

    // camt.054.001.04: AM04 (insufficient funds) and MD01 (no mandate).
    let v04 = fixture(
        "camt054_v04_returns.xml",
        &[
            ("PLAN-CTX0000042-ECH03", &e2e(cases[0])),
            ("PLAN-CTX0000105-ECH01", &e2e(cases[1])),
            ("2025-01-08", &booked),
            ("2025-01-06", &booked),
        ],
    );
    recouvre_iso20022::validate(recouvre_iso20022::Message::Camt054(4), v04.as_bytes()).unwrap();
    let imported = recouvre_app::statements::import(&app, &actor(), "avis-v04.xml", v04.as_bytes()).await.unwrap();
    assert_eq!(imported.returns_applied, 2, "{imported:?}");
    // camt.054.001.08: the account closed (AC04 instead of the fixture's AM04).
    let v08 = fixture(
        "camt054_v08_returns.xml",
        &[
            ("PLAN-CTX0000017-ECH02", &e2e(cases[2])),
            ("<Cd>AM04</Cd>", "<Cd>AC04</Cd>"),
            ("2025-01-02", &booked),
            ("2024-12-27", &booked),
        ],
    );
    recouvre_iso20022::validate(recouvre_iso20022::Message::Camt054V08, v08.as_bytes()).unwrap();
    let imported = recouvre_app::statements::import(&app, &actor(), "avis-v08.xml", v08.as_bytes()).await.unwrap();
    assert_eq!(imported.returns_applied, 1, "{imported:?}");

    for (case_id, reason, label, todo) in [
        (cases[0], "AM04", "provision insuffisante", "relancer le débiteur"),
        (cases[1], "MD01", "pas de mandat", "nouveau mandat"),
        (cases[2], "AC04", "compte du débiteur clos", "nouveau mandat"),
    ] {
        let view = direct_debits::plan(store, case_id).await.unwrap().unwrap();
        assert_eq!(view.instalments[0].status, "returned");
        assert_eq!(view.instalments[0].return_reason.as_deref(), Some(reason));
        assert_eq!(view.plan.status, "active", "one missed instalment: the plan goes on");
        let events = recouvre_store::journal::events(store, case_id).await.unwrap();
        let returned = events.iter().find(|e| e.kind == "direct_debit_returned").expect("journaled");
        assert!(returned.payload.contains(reason) && returned.payload.contains(label), "{}", returned.payload);
        let reminders = plan_reminders(store, case_id).await;
        assert_eq!(reminders.len(), 1, "{reminders:?}");
        assert!(reminders[0].contains(reason) && reminders[0].contains(todo), "{reminders:?}");
    }
    // The same return again (as a pain.002 reject would bring it): nothing more.
    let again = direct_debits::apply_return(store, &e2e(cases[0]), "AM04", date, ACTOR, Utc::now()).await.unwrap();
    assert!(matches!(again, direct_debits::ReturnOutcome::AlreadyApplied { .. }), "{again:?}");
    assert_eq!(plan_reminders(store, cases[0]).await.len(), 1);
    assert!(recouvre_store::ledger::check(store).await.unwrap().is_clean());
    assert_eq!(recouvre_store::journal::verify_all(store).await.unwrap().first_break, None);
}
