//! Direct debits for payment plans, on the engine under test: plan and mandate, pain.008 export
//! (FRST then RCUR, valid against the schemas, checked by xmllint too), idempotency, TARGET2
//! dates, returns reversing the payment and lapsing the plan.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use recouvre_domain::calendar;
use recouvre_domain::Money;
use recouvre_iso20022::{Message, Pain008Version};
use recouvre_store::direct_debits::{self, NewMandate, ReturnOutcome};
use recouvre_store::settings::BankIdentity;
use recouvre_store::{sql, Store, StoreError};
use recouvre_testkit::{today, TestDb};

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

async fn owed(store: &Store, case_id: i64) -> Money {
    recouvre_store::cases::detail(store, case_id).await.unwrap().breakdown.total()
}

async fn version(store: &Store, case_id: i64) -> i64 {
    recouvre_store::cases::detail(store, case_id).await.unwrap().version
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
    db.seed(10, &[]).await;
    let instalment = Money::from_cents(5_000);
    let case_id = open_case(store, Money::from_cents(20_000)).await;
    let reference = recouvre_store::cases::detail(store, case_id).await.unwrap().reference;
    let bank = BankIdentity::default();

    // Collection dates: TARGET2 business days to come.
    let first_date = calendar::add_target2_business_days(today(), 2);
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
    direct_debits::add_mandate(
        store,
        case_id,
        Some(version(store, case_id).await),
        &mandate(&rum, "fr76 3000 6000 0112 3456 7890 189"),
        ACTOR,
        Utc::now(),
    )
    .await
    .unwrap();
    let stored = direct_debits::mandates(store, case_id).await.unwrap();
    assert_eq!(stored[0].debtor_iban, DEBTOR_IBAN, "the IBAN is stored in its electronic form");

    // First export: FRST, valid, the payment booked.
    let owed_before = owed(store, case_id).await;
    let (xml, summary) =
        direct_debits::prepare_export(store, first_date, Pain008Version::V02, &bank, ACTOR, Utc::now())
            .await
            .unwrap()
            .expect("an instalment is due");
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
    let again =
        direct_debits::prepare_export(store, first_date, Pain008Version::V02, &bank, ACTOR, Utc::now()).await.unwrap();
    assert!(again.is_none(), "{again:?}");
    assert_eq!(direct_debits::exports(store, 10).await.unwrap().len(), 1);

    // Second export, later, in version 08: the next instalment, RCUR.
    let (xml, summary) =
        direct_debits::prepare_export(store, second_date, Pain008Version::V08, &bank, ACTOR, Utc::now())
            .await
            .unwrap()
            .expect("the second instalment is due");
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
    let refused = direct_debits::prepare_export(store, saturday, Pain008Version::V02, &bank, ACTOR, Utc::now())
        .await
        .unwrap_err();
    let next = calendar::next_target2_business_day(saturday).format("%d/%m/%Y").to_string();
    assert!(refused.to_string().contains("samedi") && refused.to_string().contains(&next), "{refused}");

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

    // The second return, read from a camt.054: the plan lapses.
    let notification = camt054_return(&second_e2e, "50.00", "MS03", second_date);
    let statements = recouvre_iso20022::read_statements(notification.as_bytes()).unwrap();
    let returns = direct_debits::returns_from_statements(&statements);
    assert_eq!(returns.len(), 1, "only our collections: {returns:?}");
    assert_eq!(
        (returns[0].end_to_end_id.as_str(), returns[0].reason_code.as_deref(), returns[0].returned_on),
        (second_e2e.as_str(), Some("MS03"), Some(second_date))
    );
    let outcome = direct_debits::apply_return(
        store,
        &returns[0].end_to_end_id,
        returns[0].reason_code.as_deref().unwrap(),
        returns[0].returned_on.unwrap(),
        ACTOR,
        Utc::now(),
    )
    .await
    .unwrap();
    assert!(matches!(outcome, ReturnOutcome::Applied { plan_lapsed: true, .. }), "{outcome:?}");
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
    assert!(direct_debits::prepare_export(store, later, Pain008Version::V02, &bank, ACTOR, Utc::now())
        .await
        .unwrap()
        .is_none());

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
    db.seed(3, &[]).await;
    let case_id = open_case(store, Money::ZERO).await;
    let before = version(store, case_id).await;
    for (new_mandate, field) in [
        (mandate("RUM-1", "FR7630006000011234567890188"), "IBAN du débiteur"),
        (mandate("RUM-1", "TR330006100519786457841326"), "IBAN du débiteur"),
        (NewMandate { debtor_bic: Some("BNPAFRP"), ..mandate("RUM-1", DEBTOR_IBAN) }, "BIC du débiteur"),
        (mandate("RUM 1", DEBTOR_IBAN), "référence unique de mandat (RUM)"),
        (NewMandate { debtor_name: "jean@exemple.fr", ..mandate("RUM-1", DEBTOR_IBAN) }, "nom du débiteur"),
    ] {
        let error =
            direct_debits::add_mandate(store, case_id, None, &new_mandate, ACTOR, Utc::now()).await.unwrap_err();
        assert!(error.to_string().starts_with(field), "{field}: {error}");
    }
    assert_eq!(version(store, case_id).await, before, "nothing journaled");
    assert!(direct_debits::mandates(store, case_id).await.unwrap().is_empty());
    // The same reference on another case is refused too (compared without case).
    direct_debits::add_mandate(store, case_id, None, &mandate("RUM-1", DEBTOR_IBAN), ACTOR, Utc::now()).await.unwrap();
    let other = sql::query_scalar::<i64>("SELECT id FROM cases WHERE id <> $1 LIMIT 1")
        .bind(case_id)
        .fetch_one(store)
        .await
        .unwrap();
    let error = direct_debits::add_mandate(store, other, None, &mandate("rum-1", DEBTOR_IBAN), ACTOR, Utc::now())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("déjà enregistrée"), "{error}");
}

#[tokio::test]
async fn a_file_that_cannot_be_written_marks_and_books_nothing() {
    let db = TestDb::new().await;
    let store = &db.store;
    db.seed(3, &[]).await;
    let case_id = open_case(store, Money::from_cents(10_000)).await;
    let date = calendar::add_target2_business_days(today(), 1);
    direct_debits::create_plan(store, case_id, None, &[(date, Money::from_cents(3_000))], ACTOR, Utc::now())
        .await
        .unwrap();
    direct_debits::add_mandate(store, case_id, None, &mandate("RUM-ROLLBACK-1", DEBTOR_IBAN), ACTOR, Utc::now())
        .await
        .unwrap();
    let (owed_before, version_before) = (owed(store, case_id).await, version(store, case_id).await);
    let broken = BankIdentity { sepa_creditor_id: "FR12ZZZ123456".to_string(), ..BankIdentity::default() };
    let error =
        direct_debits::prepare_export(store, date, Pain008Version::V02, &broken, ACTOR, Utc::now()).await.unwrap_err();
    assert!(error.to_string().contains("identifiant créancier SEPA (ICS)"), "{error}");
    assert_eq!((owed(store, case_id).await, version(store, case_id).await), (owed_before, version_before));
    assert!(direct_debits::exports(store, 10).await.unwrap().is_empty());
    assert_eq!(direct_debits::plan(store, case_id).await.unwrap().unwrap().instalments[0].status, "due");
    // With the right identity, the only instalment is collected and the plan is completed.
    let (_, summary) =
        direct_debits::prepare_export(store, date, Pain008Version::V02, &BankIdentity::default(), ACTOR, Utc::now())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(summary.plans_completed.len(), 1);
    assert_eq!(direct_debits::plan(store, case_id).await.unwrap().unwrap().plan.status, "completed");
    assert!(recouvre_store::ledger::check(store).await.unwrap().is_clean());
    assert_eq!(recouvre_store::journal::verify_all(store).await.unwrap().first_break, None);
}
