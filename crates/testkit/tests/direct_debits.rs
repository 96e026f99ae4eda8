//! Direct debits for payment plans, on the engine under test: plan and mandate, pain.008 export
//! (FRST then RCUR, valid against the schemas, checked by xmllint too), idempotency, TARGET2
//! dates, returns reversing the payment and lapsing the plan; a statement's credits and returns
//! imported in one transaction, all or nothing.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use recouvre_app::{Actor, App};
use recouvre_domain::calendar;
use recouvre_domain::Money;
use recouvre_iso20022::{Message, Pain008Version};
use recouvre_store::direct_debits::{self, ExportSummary, NewMandate, ReturnOutcome};
use recouvre_store::settings::BankIdentity;
use recouvre_store::{sql, Store, StoreError};
use recouvre_testkit::{app_on, camt053_with_returns, today, StatementCredit, StatementReturn, TestDb};

const ACTOR: &str = "camille";
const DEBTOR_IBAN: &str = "FR7630006000011234567890189";

/// An open case owing more than `at_least`.
async fn open_case(store: &Store, at_least: Money) -> i64 {
    let ids: Vec<i64> =
        sql::query_scalar("SELECT id FROM cases WHERE status <> 'closed' AND total_cents > $1 ORDER BY id LIMIT 1")
            .bind(at_least.cents())
            .fetch_all(store)
            .await
            .unwrap();
    *ids.first().expect("a seeded open case owing enough")
}

/// What the case owes, less the interest booked to settle it before its collections (issue 18:
/// a collection is allocated over the balance settled to its date), so that a collection or
/// its return moves it by exactly the instalment.
async fn owed(store: &Store, case_id: i64) -> Money {
    let settled: Money = recouvre_store::journal::events(store, case_id)
        .await
        .unwrap()
        .iter()
        .filter(|event| event.kind == "interest_accrued")
        .map(|event| event.full_payload())
        .filter(|payload| payload["settled_for"] == "direct_debit")
        .map(|payload| payload["amount"].as_str().unwrap().parse::<Money>().unwrap())
        .sum();
    recouvre_store::cases::detail(store, case_id).await.unwrap().breakdown.total() - settled
}

async fn version(store: &Store, case_id: i64) -> i64 {
    recouvre_store::cases::detail(store, case_id).await.unwrap().version
}

fn actor() -> Actor {
    Actor::system(ACTOR)
}

/// The direct-debit file of `date`, through the use case.
async fn export(
    app: &App,
    date: NaiveDate,
    version: Pain008Version,
) -> Result<Option<(String, ExportSummary)>, recouvre_app::Error> {
    recouvre_app::direct_debits::export(app, &actor(), date, version).await.map(|outcome| outcome.file)
}

/// The first collection date an instalment pre-notified today may be collected on (14 days, the
/// policy's default; issue 21).
fn collectable() -> NaiveDate {
    calendar::target2_business_day_on_or_after(today() + Duration::days(14))
}

/// Registers a mandate on the case's current version, through the use case.
async fn add_mandate(app: &App, case_id: i64, new_mandate: &NewMandate<'_>) -> Result<i64, recouvre_app::Error> {
    let version = version(app.store(), case_id).await;
    recouvre_app::direct_debits::add_mandate(app, &actor(), case_id, version, new_mandate).await
}

fn mandate<'a>(reference: &'a str, iban: &'a str) -> NewMandate<'a> {
    NewMandate {
        reference,
        debtor_name: "Hélène Müller-Dupont",
        debtor_iban: iban,
        debtor_bic: Some("AGRIFRPP882"),
        signed_on: today(),
    }
}

/// Validates `xml` with xmllint against the schema `xsd` of `crates/iso20022/schemas/`.
fn xmllint(xml: &str, xsd: &str) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../iso20022/schemas").join(xsd);
    let mut file = tempfile::NamedTempFile::new().expect("temporary file");
    file.write_all(xml.as_bytes()).expect("write the file");
    let output = match Command::new("xmllint").arg("--noout").arg("--schema").arg(&schema).arg(file.path()).output() {
        Ok(output) => output,
        Err(error) => panic!(
            "xmllint could not be run ({error}): run the tests through scripts/test, which installs libxml2-utils"
        ),
    };
    assert!(
        output.status.success(),
        "xmllint refuses the file against {xsd}:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A camt.054.001.02 notification of our collection account with one returned direct debit.
fn camt054_return(end_to_end_id: &str, amount: &str, reason: &str, booked_on: NaiveDate) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\"><BkToCstmrDbtCdtNtfctn>\
         <GrpHdr><MsgId>NTF-{end_to_end_id}</MsgId><CreDtTm>{booked_on}T11:00:00</CreDtTm></GrpHdr>\
         <Ntfctn><Id>N-{end_to_end_id}</Id><CreDtTm>{booked_on}T11:00:00</CreDtTm>\
         <Acct><Id><IBAN>FR7630001007941234567890185</IBAN></Id></Acct>\
         <Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>\
         <BookgDt><Dt>{booked_on}</Dt></BookgDt><ValDt><Dt>{booked_on}</Dt></ValDt>\
         <AcctSvcrRef>R-{end_to_end_id}</AcctSvcrRef>\
         <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>\
         <NtryDtls><TxDtls><Refs><EndToEndId>{end_to_end_id}</EndToEndId><MndtId>RUM-X</MndtId></Refs>\
         <AmtDtls><TxAmt><Amt Ccy=\"EUR\">{amount}</Amt></TxAmt></AmtDtls>\
         <RtrInf><Rsn><Cd>{reason}</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>\
         <Ntry><Amt Ccy=\"EUR\">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>\
         <BookgDt><Dt>{booked_on}</Dt></BookgDt><AcctSvcrRef>R-OTHER</AcctSvcrRef>\
         <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>\
         <NtryDtls><TxDtls><Refs><EndToEndId>SOMEONE-ELSE-1</EndToEndId></Refs>\
         <RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>\
         </Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n"
    )
}

#[tokio::test]
async fn instalments_are_collected_frst_then_rcur_and_returns_reverse_them_and_lapse_the_plan() {
    let db = TestDb::new().await;
    let store = &db.store;
    let app = app_on(store).await;
    db.seed(10, &[]).await;
    let instalment = Money::from_cents(5_000);
    let case_id = open_case(store, Money::from_cents(20_000)).await;
    let reference = recouvre_store::cases::detail(store, case_id).await.unwrap().reference;

    // Collection dates: TARGET2 business days to come.
    let first_date = collectable();
    let second_date = calendar::add_target2_business_days(first_date, 5);
    let schedule =
        [(first_date, instalment), (second_date, instalment), (second_date + Duration::days(40), instalment)];
    let plan_id =
        direct_debits::create_plan(store, case_id, Some(version(store, case_id).await), &schedule, ACTOR, Utc::now())
            .await
            .unwrap();
    let second = direct_debits::create_plan(store, case_id, None, &schedule, ACTOR, Utc::now()).await.unwrap_err();
    assert!(second.to_string().contains("déjà un échéancier en cours"), "{second}");
    let rum = format!("RUM-{reference}-01");
    add_mandate(&app, case_id, &mandate(&rum, "fr76 3000 6000 0112 3456 7890 189")).await.unwrap();
    let stored = direct_debits::mandates(store, case_id).await.unwrap();
    assert_eq!(stored[0].debtor_iban, DEBTOR_IBAN, "the IBAN is stored in its electronic form");

    // First export: FRST, valid, the payment booked.
    let owed_before = owed(store, case_id).await;
    let (xml, summary) = export(&app, first_date, Pain008Version::V02).await.unwrap().expect("an instalment is due");
    assert_eq!((summary.count, summary.first, summary.recurrent), (1, 1, 0), "{summary:?}");
    assert_eq!(summary.total, instalment);
    assert_eq!(summary.version, "pain.008.001.02");
    let first_e2e = summary.debits[0].end_to_end_id.clone();
    assert!(xml.contains("<SeqTp>FRST</SeqTp>") && !xml.contains("<SeqTp>RCUR</SeqTp>"), "{xml}");
    assert!(xml.contains(&format!("<EndToEndId>{first_e2e}</EndToEndId>")), "{xml}");
    assert!(xml.contains("<Id>FR72ZZZ123456</Id>"), "the creditor identifier: {xml}");
    assert!(xml.contains("<Nm>Helene Muller-Dupont</Nm>"), "the debtor's name in the SEPA set: {xml}");
    recouvre_iso20022::validate(Message::Pain008V02, xml.as_bytes()).unwrap();
    xmllint(&xml, "pain.008.001.02.xsd");
    assert_eq!(owed_before - owed(store, case_id).await, instalment, "the collection is booked as a payment");

    // The same date again: nothing left to collect, no second file.
    let again = export(&app, first_date, Pain008Version::V02).await.unwrap();
    assert!(again.is_none(), "{again:?}");
    assert_eq!(direct_debits::exports(store, 10).await.unwrap().len(), 1);

    // Second export, later, in version 08: the next instalment, RCUR.
    let (xml, summary) =
        export(&app, second_date, Pain008Version::V08).await.unwrap().expect("the second instalment is due");
    assert_eq!((summary.count, summary.first, summary.recurrent), (1, 0, 1), "{summary:?}");
    assert_eq!(summary.debits[0].number, 2);
    let second_e2e = summary.debits[0].end_to_end_id.clone();
    assert!(xml.contains("<SeqTp>RCUR</SeqTp>") && !xml.contains("<SeqTp>FRST</SeqTp>"), "{xml}");
    assert!(xml.contains("<BICFI>"), "{xml}");
    recouvre_iso20022::validate(Message::Pain008V08, xml.as_bytes()).unwrap();
    xmllint(&xml, "pain.008.001.08.xsd");
    assert_eq!(owed_before - owed(store, case_id).await, instalment + instalment);

    // A Saturday is refused, naming the next business day.
    let mut saturday = second_date;
    while saturday.weekday() != Weekday::Sat {
        saturday = saturday.succ_opt().unwrap();
    }
    let refused = export(&app, saturday, Pain008Version::V02).await.unwrap_err();
    let next = calendar::next_target2_business_day(saturday).format("%d/%m/%Y").to_string();
    assert!(refused.to_string().contains("samedi") && refused.to_string().contains(&next), "{refused}");
    assert_eq!(refused.code, "direct_debit_file_refused");

    // A return (AM04) reverses the payment; applying it twice does nothing more.
    let owed_collected = owed(store, case_id).await;
    let outcome = direct_debits::apply_return(store, &first_e2e, "AM04", second_date, ACTOR, Utc::now()).await.unwrap();
    let ReturnOutcome::Applied { plan_lapsed, plan_id: returned_plan, .. } = outcome else {
        panic!("the return should apply: {outcome:?}");
    };
    assert_eq!((plan_lapsed, returned_plan), (false, plan_id));
    assert_eq!(owed(store, case_id).await - owed_collected, instalment, "the payment is reversed");
    let twice = direct_debits::apply_return(store, &first_e2e, "AM04", second_date, ACTOR, Utc::now()).await.unwrap();
    assert!(matches!(twice, ReturnOutcome::AlreadyApplied { .. }), "{twice:?}");
    assert_eq!(owed(store, case_id).await - owed_collected, instalment, "nothing reversed twice");

    // An unknown end-to-end id is named.
    let unknown =
        direct_debits::apply_return(store, "RCV-DD-999999", "AM04", second_date, ACTOR, Utc::now()).await.unwrap_err();
    assert!(matches!(unknown, StoreError::NotFound { .. }) && unknown.to_string().contains("RCV-DD-999999"));

    // The second return, read from a camt.054 and imported: the plan lapses.
    let notification = camt054_return(&second_e2e, "50.00", "MS03", second_date);
    let statements = recouvre_iso20022::read_statements(notification.as_bytes()).unwrap();
    let returns = recouvre_app::statements::returns(&statements, today());
    assert_eq!(returns.len(), 1, "only our collections: {returns:?}");
    assert_eq!(
        (returns[0].end_to_end_id.as_str(), returns[0].reason_code.as_str(), returns[0].returned_on),
        (second_e2e.as_str(), "MS03", second_date)
    );
    assert_eq!(returns[0].amount, instalment);
    let imported = recouvre_app::statements::import(&app, &actor(), "avis.xml", notification.as_bytes()).await.unwrap();
    assert_eq!((imported.returns_applied, imported.booked, imported.suspense), (1, 0, 0), "{imported:?}");
    let events = recouvre_store::journal::events(store, case_id).await.unwrap();
    assert_eq!(events.last().unwrap().kind, "plan_lapsed", "the plan lapses with the second return");
    assert_eq!(owed(store, case_id).await, owed_before, "both collections reversed");
    let view = direct_debits::plan(store, case_id).await.unwrap().expect("the case's plan");
    assert_eq!(view.plan.status, "lapsed");
    let statuses: Vec<&str> = view.instalments.iter().map(|i| i.status.as_str()).collect();
    assert_eq!(statuses, ["returned", "returned", "due"]);
    assert_eq!(view.instalments[0].return_reason.as_deref(), Some("AM04"));
    assert_eq!(view.instalments[0].sequence_type.as_deref(), Some("FRST"));
    assert_eq!(view.missed(), 2);

    // A lapsed plan is not collected any more.
    let later = calendar::target2_business_day_on_or_after(second_date + Duration::days(45));
    assert!(export(&app, later, Pain008Version::V02).await.unwrap().is_none());

    let kinds: Vec<String> =
        recouvre_store::journal::events(store, case_id).await.unwrap().into_iter().map(|e| e.kind).collect();
    for (kind, count) in [
        ("plan_created", 1),
        ("mandate_added", 1),
        ("direct_debit_collected", 2),
        ("direct_debit_returned", 2),
        ("plan_lapsed", 1),
    ] {
        assert_eq!(kinds.iter().filter(|k| *k == kind).count(), count, "{kind} in {kinds:?}");
    }
    assert!(recouvre_store::ledger::check(store).await.unwrap().is_clean());
    assert_eq!(recouvre_store::journal::verify_all(store).await.unwrap().first_break, None);
}

#[tokio::test]
async fn a_mandate_with_a_wrong_iban_bic_or_reference_is_refused_naming_the_field() {
    let db = TestDb::new().await;
    let store = &db.store;
    let app = app_on(store).await;
    db.seed(3, &[]).await;
    let case_id = open_case(store, Money::ZERO).await;
    let before = version(store, case_id).await;
    for (new_mandate, label, field) in [
        (mandate("RUM-1", "FR7630006000011234567890188"), "IBAN du débiteur", "debtor_iban"),
        (mandate("RUM-1", "TR330006100519786457841326"), "IBAN du débiteur", "debtor_iban"),
        (NewMandate { debtor_bic: Some("BNPAFRP"), ..mandate("RUM-1", DEBTOR_IBAN) }, "BIC du débiteur", "debtor_bic"),
        (mandate("RUM 1", DEBTOR_IBAN), "référence unique de mandat (RUM)", "reference"),
        (
            NewMandate { debtor_name: "jean@exemple.fr", ..mandate("RUM-1", DEBTOR_IBAN) },
            "nom du débiteur",
            "debtor_name",
        ),
    ] {
        let error = add_mandate(&app, case_id, &new_mandate).await.unwrap_err();
        assert!(error.to_string().starts_with(label), "{label}: {error}");
        assert_eq!((error.http_status(), error.field.as_deref()), (400, Some(field)), "{error:?}");
    }
    assert_eq!(version(store, case_id).await, before, "nothing journaled");
    assert!(direct_debits::mandates(store, case_id).await.unwrap().is_empty());
    // The same reference on another case is refused too (compared without case).
    add_mandate(&app, case_id, &mandate("RUM-1", DEBTOR_IBAN)).await.unwrap();
    let other = sql::query_scalar::<i64>("SELECT id FROM cases WHERE id <> $1 LIMIT 1")
        .bind(case_id)
        .fetch_one(store)
        .await
        .unwrap();
    let error = add_mandate(&app, other, &mandate("rum-1", DEBTOR_IBAN)).await.unwrap_err();
    assert!(error.to_string().contains("déjà enregistrée"), "{error}");
}

#[tokio::test]
async fn a_file_that_cannot_be_written_marks_and_books_nothing() {
    let db = TestDb::new().await;
    let store = &db.store;
    let app = app_on(store).await;
    db.seed(3, &[]).await;
    let case_id = open_case(store, Money::from_cents(10_000)).await;
    let date = collectable();
    direct_debits::create_plan(store, case_id, None, &[(date, Money::from_cents(3_000))], ACTOR, Utc::now())
        .await
        .unwrap();
    add_mandate(&app, case_id, &mandate("RUM-ROLLBACK-1", DEBTOR_IBAN)).await.unwrap();
    let (owed_before, version_before) = (owed(store, case_id).await, version(store, case_id).await);
    let broken = BankIdentity { sepa_creditor_id: "FR12ZZZ123456".to_string(), ..BankIdentity::default() };
    recouvre_store::settings::set_bank_identity(store, &broken, ACTOR, Utc::now()).await.unwrap();
    let error = export(&app, date, Pain008Version::V02).await.unwrap_err();
    assert!(error.to_string().contains("identifiant créancier SEPA (ICS)"), "{error}");
    assert_eq!(error.code, "direct_debit_file_refused");
    assert_eq!((owed(store, case_id).await, version(store, case_id).await), (owed_before, version_before));
    assert!(direct_debits::exports(store, 10).await.unwrap().is_empty());
    assert_eq!(direct_debits::plan(store, case_id).await.unwrap().unwrap().instalments[0].status, "due");
    // With the right identity, the only instalment is collected and the plan is completed.
    recouvre_store::settings::set_bank_identity(store, &BankIdentity::default(), ACTOR, Utc::now()).await.unwrap();
    let (_, summary) = export(&app, date, Pain008Version::V02).await.unwrap().unwrap();
    assert_eq!(summary.plans_completed.len(), 1);
    assert_eq!(direct_debits::plan(store, case_id).await.unwrap().unwrap().plan.status, "completed");
    assert!(recouvre_store::ledger::check(store).await.unwrap().is_clean());
    assert_eq!(recouvre_store::journal::verify_all(store).await.unwrap().first_break, None);
}

/// What a statement's import may write: rows of each table it touches, and the instalments
/// returned.
async fn footprint(store: &Store) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for (what, sql) in [
        ("ledger transactions", "SELECT COUNT(*) FROM ledger_transactions"),
        ("journal events", "SELECT COUNT(*) FROM case_events"),
        ("suspense items", "SELECT COUNT(*) FROM suspense_items"),
        ("statement entries", "SELECT COUNT(*) FROM statement_entries"),
        ("files imported", "SELECT COUNT(*) FROM imports"),
        ("payments screened", "SELECT COUNT(*) FROM payments_received"),
        ("instalments returned", "SELECT COUNT(*) FROM instalments WHERE status = 'returned'"),
    ] {
        counts.push((what, sql::query_scalar::<i64>(sql).fetch_one(store).await.unwrap()));
    }
    counts
}

/// A case with one instalment collected by direct debit: (case id, its end-to-end id).
async fn collected_instalment(app: &App, amount: Money) -> (i64, String) {
    let store = app.store();
    let case_id = open_case(store, Money::from_cents(20_000)).await;
    let date = collectable();
    direct_debits::create_plan(store, case_id, None, &[(date, amount)], ACTOR, Utc::now()).await.unwrap();
    add_mandate(app, case_id, &mandate(&format!("RUM-STMT-{case_id}"), DEBTOR_IBAN)).await.unwrap();
    let (_, summary) = export(app, date, Pain008Version::V02).await.unwrap().expect("the instalment is due");
    (case_id, summary.debits[0].end_to_end_id.clone())
}

/// Another open case and the ISO 11649 reference our letters print for it.
async fn other_case_and_rf(store: &Store, not: i64) -> (i64, String) {
    let (id, reference): (i64, String) = sql::query_as(
        "SELECT id, reference FROM cases WHERE status <> 'closed' AND id <> $1 AND total_cents > 20000 LIMIT 1",
    )
    .bind(not)
    .fetch_one(store)
    .await
    .unwrap();
    (id, recouvre_iso20022::sepa::rf_reference(&reference))
}

/// Two credits: 100.00 for the case of `rf`, and 30.00 nobody can be matched to (suspense).
fn two_credits(rf: &str) -> [StatementCredit<'_>; 2] {
    [
        StatementCredit {
            amount: "100.00",
            payer_name: "X",
            payer_iban: "DE89370400440532013000",
            rf_reference: Some(rf),
            free_text: None,
            bank_reference: "STMT-TX-B1",
        },
        StatementCredit {
            amount: "30.00",
            payer_name: "QWXZ",
            payer_iban: "DE02120300000000202051",
            rf_reference: None,
            free_text: Some("virement"),
            bank_reference: "STMT-TX-B2",
        },
    ]
}

#[tokio::test]
async fn a_statement_whose_return_fails_writes_nothing_and_its_corrected_file_books_everything_once() {
    let db = TestDb::new().await;
    let store = &db.store;
    let app = app_on(store).await;
    db.seed(10, &[]).await;
    let instalment = Money::from_cents(4_000);
    let (collected_case, e2e) = collected_instalment(&app, instalment).await;
    let (paid_case, rf) = other_case_and_rf(store, collected_case).await;
    let credits = two_credits(&rf);
    let (owed_collected, owed_paid) = (owed(store, collected_case).await, owed(store, paid_case).await);
    let before = footprint(store).await;

    // The bank reports, after two credits, the return of a collection Recouvre never made (a
    // reference no instalment carries): the store refuses it, and nothing of the file is kept,
    // not even the credits booked before it in the same transaction.
    let wrong =
        StatementReturn { end_to_end_id: "RCV-DD-999999", amount: "40.00", reason: "AM04", bank_reference: "R-1" };
    let bad = camt053_with_returns("STMT-TX-1", today(), &credits, &[wrong]);
    let error = recouvre_app::statements::import(&app, &actor(), "releve-tx.xml", bad.as_bytes()).await.unwrap_err();
    assert_eq!((error.code.as_ref(), error.http_status()), ("unknown_collection", 409), "{error:?}");
    let message = error.to_string();
    assert!(message.starts_with("releve-tx.xml, ligne "), "the error names the file and the entry's line: {message}");
    assert!(message.contains("RCV-DD-999999") && message.contains("rien n'a été importé"), "{message}");
    assert_eq!(footprint(store).await, before, "nothing written");
    assert_eq!((owed(store, collected_case).await, owed(store, paid_case).await), (owed_collected, owed_paid));
    assert_eq!(recouvre_store::suspense::balance(store).await.unwrap(), Money::ZERO);

    // The corrected file (the return of the collection really made): everything at once.
    let right = StatementReturn { end_to_end_id: &e2e, amount: "40.00", reason: "AM04", bank_reference: "R-1" };
    let corrected = camt053_with_returns("STMT-TX-2", today(), &credits, &[right]);
    let outcome =
        recouvre_app::statements::import(&app, &actor(), "releve-tx-2.xml", corrected.as_bytes()).await.unwrap();
    assert_eq!(
        (outcome.booked, outcome.suspense, outcome.already_booked, outcome.returns_applied),
        (1, 1, 0, 1),
        "{outcome:?}"
    );
    assert_eq!(owed_paid - owed(store, paid_case).await, Money::from_cents(10_000), "the credit is booked");
    assert_eq!(owed(store, collected_case).await - owed_collected, instalment, "the collection is reversed");
    assert_eq!(recouvre_store::suspense::balance(store).await.unwrap(), Money::from_cents(3_000));
    let view = direct_debits::plan(store, collected_case).await.unwrap().unwrap();
    assert_eq!(
        (view.instalments[0].status.as_str(), view.instalments[0].return_reason.as_deref()),
        ("returned", Some("AM04"))
    );
    let after = footprint(store).await;
    let grown: Vec<(&str, i64)> =
        after.iter().zip(&before).map(|((what, now), (_, then))| (*what, now - then)).collect();
    assert_eq!(
        grown,
        [
            ("ledger transactions", 3), // the credit, the suspense item, the reversal
            ("journal events", 2),      // payment_booked, direct_debit_returned
            ("suspense items", 1),
            ("statement entries", 2),
            ("files imported", 1),
            ("payments screened", 1),
            ("instalments returned", 1),
        ]
    );

    // The same file again, or the first one now that the return is known: nothing twice.
    let again =
        recouvre_app::statements::import(&app, &actor(), "releve-tx-2.xml", corrected.as_bytes()).await.unwrap();
    assert_eq!((again.booked, again.suspense, again.already_booked, again.returns_applied), (0, 0, 2, 0), "{again:?}");
    assert_eq!(footprint(store).await, after);
    assert!(recouvre_store::ledger::check(store).await.unwrap().is_clean());
    assert_eq!(recouvre_store::journal::verify_all(store).await.unwrap().first_break, None);
}

#[tokio::test]
async fn a_statement_with_credits_and_a_return_books_both_at_once_and_again_changes_nothing() {
    let db = TestDb::new().await;
    let store = &db.store;
    let app = app_on(store).await;
    db.seed(10, &[]).await;
    let instalment = Money::from_cents(2_500);
    let (collected_case, e2e) = collected_instalment(&app, instalment).await;
    let (paid_case, rf) = other_case_and_rf(store, collected_case).await;
    let credits = two_credits(&rf);
    let (owed_collected, owed_paid) = (owed(store, collected_case).await, owed(store, paid_case).await);
    let version_collected = version(store, collected_case).await;

    let debit_return = StatementReturn { end_to_end_id: &e2e, amount: "25.00", reason: "MD06", bank_reference: "R-9" };
    let statement = camt053_with_returns("STMT-ONE-GO", today(), &credits, &[debit_return]);
    let outcome = recouvre_app::statements::import(&app, &actor(), "releve.xml", statement.as_bytes()).await.unwrap();
    assert_eq!((outcome.booked, outcome.suspense, outcome.returns_applied), (1, 1, 1), "{outcome:?}");
    assert_eq!(owed_paid - owed(store, paid_case).await, Money::from_cents(10_000));
    assert_eq!(owed(store, collected_case).await - owed_collected, instalment);
    let events = recouvre_store::journal::events(store, collected_case).await.unwrap();
    assert_eq!(events.last().unwrap().kind, "direct_debit_returned");
    assert_eq!(version(store, collected_case).await, version_collected + 1);
    // The file is recorded once, by its SHA-256.
    let files: Vec<(String, String)> =
        sql::query_as("SELECT kind, file_name FROM imports").fetch_all(store).await.unwrap();
    assert_eq!(files, [("statement".to_string(), "releve.xml".to_string())]);

    let state = footprint(store).await;
    let again = recouvre_app::statements::import(&app, &actor(), "releve.xml", statement.as_bytes()).await.unwrap();
    assert_eq!((again.booked, again.suspense, again.already_booked, again.returns_applied), (0, 0, 2, 0), "{again:?}");
    assert_eq!(footprint(store).await, state, "nothing written twice");
    assert_eq!(owed(store, collected_case).await - owed_collected, instalment, "nothing reversed twice");
    assert_eq!(version(store, collected_case).await, version_collected + 1);
    assert!(recouvre_store::ledger::check(store).await.unwrap().is_clean());
}

/// Issue 21, done when: a mandate entered over the API makes the next export for its collection
/// date contain the plan's instalment, valid against pain.008.001.02 and .08; the fields are
/// checked in one place (400 naming the field); the history shows it; a revoked mandate collects
/// nothing; a one-off mandate is collected once, `OOFF`.
#[tokio::test]
async fn a_mandate_entered_over_the_api_gets_its_plan_collected() {
    use recouvre_domain::authority::Role;
    use reqwest::StatusCode;
    use serde_json::{json, Value};
    let app = recouvre_testkit::TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, "correct-horse-battery").await;
    let token = app.db.token(officer).await;
    app.db.seed(20, &["camille"]).await;
    let store = &app.db.store;
    let client = reqwest::Client::new();
    let post = |path: String, body: Value| client.post(app.url(&path)).bearer_auth(&token).json(&body).send();
    let case_id = open_case(store, Money::from_cents(100_000)).await;
    let mandate = |rum: &str, iban: &str, sequence: &str, version: i64| json!({"rum": rum, "iban": iban, "bic": "AGRIFRPP882", "signed_on": today(), "sequence": sequence, "version": version});
    // Each field is checked, the refusal naming it.
    for (body, field) in [
        (mandate("RUM-API-1", "NOT-AN-IBAN", "recurrent", version(store, case_id).await), "iban"),
        (mandate("RUM API/1 é", DEBTOR_IBAN, "recurrent", version(store, case_id).await), "rum"),
        (mandate("RUM-API-1", DEBTOR_IBAN, "monthly", version(store, case_id).await), "sequence"),
        (
            json!({"rum": "RUM-API-1", "iban": DEBTOR_IBAN, "bic": "XX", "signed_on": today(), "sequence": "recurrent", "version": version(store, case_id).await}),
            "bic",
        ),
    ] {
        let refused = post(format!("/api/v1/cases/{case_id}/mandates"), body).await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["field"], field, "{error}");
    }
    let created = post(
        format!("/api/v1/cases/{case_id}/mandates"),
        mandate("RUM-API-1", "FR76 3000 6000 0112 3456 7890 189", "recurrent", version(store, case_id).await),
    )
    .await
    .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let mandate_id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // A plan proposed with a mandate that is not the case's is refused; with its own, created.
    let due = collectable();
    let plan = |mandate_id: i64, version: i64| {
        json!({"version": version, "mandate_id": mandate_id,
               "instalments": [{"due_on": due, "amount": "40.00"}, {"due_on": due + Duration::days(31), "amount": "40.00"}]})
    };
    let refused =
        post(format!("/api/v1/cases/{case_id}/plans"), plan(mandate_id + 1000, version(store, case_id).await))
            .await
            .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refused.json::<Value>().await.unwrap()["field"], "mandate_id");
    let planned =
        post(format!("/api/v1/cases/{case_id}/plans"), plan(mandate_id, version(store, case_id).await)).await.unwrap();
    assert_eq!(planned.status(), StatusCode::CREATED, "{}", planned.text().await.unwrap());
    // The plan's schedule pre-notifies its instalments today, shown on the case page (issue 21).
    let browser = app.login("camille", "correct-horse-battery").await;
    let page = browser.get(app.url(&format!("/dossiers/{case_id}"))).send().await.unwrap().text().await.unwrap();
    let notified = format!("le {} (échéancier)", today().format("%d/%m/%Y"));
    assert!(page.contains("Pré-notification du prélèvement") && page.contains(&notified), "{page}");
    // The export of the collection date holds the instalment, valid in both versions.
    let app_layer = app_on(store).await;
    let (xml, summary) = export(&app_layer, due, Pain008Version::V02).await.unwrap().expect("the instalment is due");
    assert_eq!(summary.count, 1, "{summary:?}");
    assert!(xml.contains("<MndtId>RUM-API-1</MndtId>") && xml.contains("<SeqTp>FRST</SeqTp>"), "{xml}");
    assert!(xml.contains(DEBTOR_IBAN), "{xml}");
    recouvre_iso20022::validate(Message::Pain008V02, xml.as_bytes()).unwrap();
    xmllint(&xml, "pain.008.001.02.xsd");
    let (xml, _) = export(&app_layer, due + Duration::days(31), Pain008Version::V08)
        .await
        .unwrap()
        .expect("the second instalment is due");
    assert!(xml.contains("<SeqTp>FNAL</SeqTp>"), "the plan's last instalment: {xml}");
    recouvre_iso20022::validate(Message::Pain008V08, xml.as_bytes()).unwrap();
    xmllint(&xml, "pain.008.001.08.xsd");
    // The history, then a revocation.
    let history: Value = client
        .get(app.url(&format!("/api/v1/cases/{case_id}/mandates")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(history[0]["rum"], "RUM-API-1");
    assert_eq!(history[0]["iban"], DEBTOR_IBAN);
    assert_eq!((&history[0]["status"], &history[0]["sequence"]), (&json!("active"), &json!("recurrent")));
    let revoked =
        post(format!("/api/v1/cases/{case_id}/mandates/revocation"), json!({"version": version(store, case_id).await}))
            .await
            .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let again =
        post(format!("/api/v1/cases/{case_id}/mandates/revocation"), json!({"version": version(store, case_id).await}))
            .await
            .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(direct_debits::mandates(store, case_id).await.unwrap()[0].status, "revoked");

    // A one-off mandate on another case: two instalments due, one collected, OOFF.
    let other: i64 = sql::query_scalar(
        "SELECT id FROM cases WHERE status <> 'closed' AND total_cents > 100000 AND id <> $1 ORDER BY id LIMIT 1",
    )
    .bind(case_id)
    .fetch_one(store)
    .await
    .unwrap();
    let created = post(
        format!("/api/v1/cases/{other}/mandates"),
        mandate("RUM-API-OOFF", DEBTOR_IBAN, "one_off", version(store, other).await),
    )
    .await
    .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let ooff_id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let later = due + Duration::days(70);
    let planned = post(
        format!("/api/v1/cases/{other}/plans"),
        json!({"version": version(store, other).await, "mandate_id": ooff_id,
               "instalments": [{"due_on": later, "amount": "30.00"}, {"due_on": later + Duration::days(1), "amount": "30.00"}]}),
    )
    .await
    .unwrap();
    assert_eq!(planned.status(), StatusCode::CREATED, "{}", planned.text().await.unwrap());
    let collection = calendar::next_target2_business_day(later + Duration::days(1));
    let (xml, summary) =
        export(&app_layer, collection, Pain008Version::V02).await.unwrap().expect("the one-off collection");
    assert_eq!(summary.count, 1, "a one-off mandate is collected once: {summary:?}");
    assert!(xml.contains("<SeqTp>OOFF</SeqTp>"), "{xml}");
    recouvre_iso20022::validate(Message::Pain008V02, xml.as_bytes()).unwrap();
    let later_file = export(&app_layer, calendar::next_target2_business_day(collection), Pain008Version::V02).await;
    assert!(later_file.unwrap().is_none(), "a spent one-off mandate collects nothing more");
}
