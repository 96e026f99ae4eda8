//! Tamper evidence against a database administrator (issue 24, part 1): `recouvre audit verify`,
//! run as an operator would with the audit key outside the database, reports an event edited
//! with its hashes recomputed, a deleted posting and a deleted case; the database itself refuses
//! to rewrite the append-only tables, except the erasure of personal data. On the engine under
//! test (SQLite, or PostgreSQL as the application's role when RECOUVRE_TEST_POSTGRES is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use recouvre_domain::journal::{envelope_hash, NewEvent};
use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::sql;
use recouvre_testkit::{camt053, today, StatementCredit, TestDb, TEST_AUDIT_KEY};

/// `recouvre` with the audit key in its environment, as the bank's servers have it.
fn recouvre(database: &str, args: &[&str]) -> Output {
    recouvre_keyed(database, TEST_AUDIT_KEY, args)
}

fn recouvre_keyed(database: &str, key: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(args)
        .env("DATABASE_URL", database)
        .env("RECOUVRE_AUDIT_KEY", key)
        .env("RECOUVRE_LOG", "warn")
        .output()
        .expect("run recouvre")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// Twelve cases, a statement paying two of them (postings booked one by one by `Tx::book`), and
/// a folder with the anchors' key (made by `recouvre audit keygen`).
async fn portfolio() -> (TestDb, tempfile::TempDir) {
    let db = TestDb::new().await;
    db.seed(12, &[]).await;
    let (rf3, rf4) = (rf_reference("CTX-0000003"), rf_reference("CTX-0000004"));
    let credit = |amount, rf, bank_reference| StatementCredit {
        amount,
        payer_name: "A",
        payer_iban: "DE89370400440532013000",
        rf_reference: Some(rf),
        free_text: None,
        bank_reference,
    };
    let xml = camt053("T-1", today(), &[credit("120.00", &rf3, "T1"), credit("80.00", &rf4, "T2")]);
    let outcome = recouvre_testkit::import_statement(&db.store, "t.xml", xml.as_bytes(), "system:test").await.unwrap();
    assert_eq!(outcome.booked, 2, "both credits are booked on their case");
    let keys = tempfile::tempdir().unwrap();
    let made = recouvre(&db.url, &["audit", "keygen", "--dir", &keys.path().display().to_string()]);
    assert!(made.status.success(), "{}", stderr(&made));
    (db, keys)
}

fn anchor_key(keys: &Path) -> String {
    keys.join("anchor.key").display().to_string()
}

/// Writes today's anchor into `keys/anchors` and returns that folder.
fn anchor(db: &TestDb, keys: &Path) -> String {
    let dir = keys.join("anchors");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("recouvre-anchor-test.txt").display().to_string();
    let written = recouvre(&db.url, &["audit", "anchor", "--out", &out, "--anchor-key-file", &anchor_key(keys)]);
    assert!(written.status.success(), "{}", stderr(&written));
    dir.display().to_string()
}

fn verify(db: &TestDb, keys: &Path, anchors: &str) -> Output {
    recouvre(&db.url, &["audit", "verify", "--anchors", anchors, "--anchor-key-file", &anchor_key(keys)])
}

#[tokio::test]
async fn a_clean_database_verifies_with_its_anchor() {
    let (db, keys) = portfolio().await;
    let anchors = anchor(&db, keys.path());
    let clean = verify(&db, keys.path(), &anchors);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert!(stdout(&clean).contains("12 dossier(s)") && stdout(&clean).contains("1 ancre(s)"), "{}", stdout(&clean));
    // The public key alone checks an anchor.
    let public = keys.path().join("anchor.pub").display().to_string();
    let with_public = recouvre(&db.url, &["audit", "verify", "--anchors", &anchors, "--anchor-key-file", &public]);
    assert_eq!(with_public.status.code(), Some(0), "{}", stderr(&with_public));
}

#[tokio::test]
async fn an_event_edited_with_its_hashes_recomputed_is_named() {
    let (db, _keys) = portfolio().await;
    // The DBA rewrites event 2 of case 7 and recomputes every hash after it: the SHA-256 chain
    // alone no longer shows anything.
    let events = recouvre_store::journal::events(&db.store, 7).await.unwrap();
    assert!(events.len() >= 2);
    let dba = db.dba().await;
    let mut previous = events[0].hash.clone();
    for event in &events[1..] {
        let payload =
            if event.sequence == 2 { "{\"reference\":\"réécrit\"}".to_string() } else { event.payload.clone() };
        let fields = NewEvent {
            case_id: 7,
            sequence: event.sequence,
            kind: &event.kind,
            payload: &payload,
            actor: &event.actor,
            recorded_at: event.recorded_at,
        };
        let hash = envelope_hash(&previous, &fields, event.personal_digest.as_deref());
        sql::query(
            "UPDATE case_events SET payload = $3, previous_hash = $4, hash = $5 WHERE case_id = $1 AND sequence = $2",
        )
        .bind(7_i64)
        .bind(event.sequence)
        .bind(payload.clone())
        .bind(previous.clone())
        .bind(hash.clone())
        .execute(&dba)
        .await
        .unwrap();
        previous = hash;
    }
    let sha_only = recouvre_store::journal::verify_all(&db.store).await.unwrap();
    assert_eq!(sha_only.first_break, None, "the recomputed SHA-256 chain fools the old check");

    let tampered = recouvre(&db.url, &["audit", "verify"]);
    assert_eq!(tampered.status.code(), Some(1), "{}", stdout(&tampered));
    let message = stderr(&tampered);
    assert!(message.contains("dossier 7, événement n° 2 : sceau HMAC invalide"), "{message}");
}

#[tokio::test]
async fn a_deleted_posting_is_reported() {
    let (db, keys) = portfolio().await;
    let anchors = anchor(&db, keys.path());
    let (posting, transaction): (i64, i64) =
        sql::query_as("SELECT id, transaction_id FROM ledger_postings ORDER BY id DESC LIMIT 1")
            .fetch_one(&db.store)
            .await
            .unwrap();
    sql::query("DELETE FROM ledger_postings WHERE id = $1").bind(posting).execute(&db.dba().await).await.unwrap();

    let tampered = verify(&db, keys.path(), &anchors);
    assert_eq!(tampered.status.code(), Some(1), "{}", stdout(&tampered));
    let message = stderr(&tampered);
    assert!(message.contains(&format!("opération comptable n° {transaction} : sceau HMAC invalide")), "{message}");
    assert!(message.contains("grand livre : jusqu'à l'opération"), "the anchor sees it too: {message}");
}

#[tokio::test]
async fn a_deleted_case_is_reported_against_the_anchor() {
    let (db, keys) = portfolio().await;
    let anchors = anchor(&db, keys.path());
    // Every trace of case 4 (which was paid): its journal, its ledger, the case.
    db.dba_execute(&[
        "DELETE FROM ledger_postings WHERE transaction_id IN (SELECT id FROM ledger_transactions WHERE case_id = 4)",
        "DELETE FROM ledger_transactions WHERE case_id = 4",
        "DELETE FROM case_events WHERE case_id = 4",
        "DELETE FROM cases WHERE id = 4",
    ])
    .await;
    // Nothing inside the database shows it any more.
    let sha_only = recouvre_store::journal::verify_all(&db.store).await.unwrap();
    assert_eq!(sha_only.first_break, None);
    let without_anchor = recouvre(&db.url, &["audit", "verify"]);
    assert_eq!(without_anchor.status.code(), Some(0), "{}", stderr(&without_anchor));

    let tampered = verify(&db, keys.path(), &anchors);
    assert_eq!(tampered.status.code(), Some(1), "{}", stdout(&tampered));
    let message = stderr(&tampered);
    assert!(message.contains("dossier 4 supprimé"), "{message}");
    assert!(message.contains("grand livre"), "its postings are missing from the anchored ledger: {message}");
}

#[tokio::test]
async fn an_anchor_edited_after_its_signature_is_refused() {
    let (db, keys) = portfolio().await;
    let anchors = anchor(&db, keys.path());
    let file = Path::new(&anchors).join("recouvre-anchor-test.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("case 4 ", "case 40 ", 1)).unwrap();
    let refused = verify(&db, keys.path(), &anchors);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("signature invalide"), "{}", stderr(&refused));
}

#[tokio::test]
async fn the_database_refuses_to_rewrite_history_but_lets_personal_data_be_erased() {
    let (db, _keys) = portfolio().await;
    // As the application connects (on PostgreSQL, its role; on SQLite, the triggers).
    let refused = [
        "UPDATE case_events SET actor = 'mallory' WHERE case_id = 1 AND sequence = 1",
        "DELETE FROM case_events WHERE case_id = 1",
        "UPDATE ledger_postings SET amount_cents = amount_cents + 1",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_transactions SET booked_on = '2020-01-01'",
        "DELETE FROM ledger_transactions",
    ];
    for statement in refused {
        assert!(sql::query(statement).execute(&db.store).await.is_err(), "refused: {statement}");
    }
    // The erasure contract (GDPR art. 17): personal data and its salt set to NULL, nothing else.
    let with_personal: (i64, i64) =
        sql::query_as("SELECT case_id, sequence FROM case_events WHERE personal IS NOT NULL ORDER BY case_id LIMIT 1")
            .fetch_one(&db.store)
            .await
            .unwrap();
    sql::query("UPDATE case_events SET personal = NULL, personal_salt = NULL WHERE case_id = $1 AND sequence = $2")
        .bind(with_personal.0)
        .bind(with_personal.1)
        .execute(&db.store)
        .await
        .unwrap();
    // ... but not the digest the chain covers.
    assert!(sql::query("UPDATE case_events SET personal_digest = NULL WHERE case_id = $1 AND sequence = $2")
        .bind(with_personal.0)
        .bind(with_personal.1)
        .execute(&db.store)
        .await
        .is_err());
    let erased = recouvre(&db.url, &["audit", "verify"]);
    assert_eq!(erased.status.code(), Some(0), "an erasure keeps every seal: {}", stderr(&erased));
}

#[tokio::test]
async fn rows_from_before_the_cut_over_are_sealed_as_they_are_and_keys_rotate() {
    let db = TestDb::new().await;
    // A database that lived without a key: its rows have no seal, and no cut-over was made.
    sql::query("DELETE FROM audit_seals").execute(&db.dba().await).await.unwrap();
    let unkeyed = recouvre_store::Store::connect(&db.url).await.unwrap();
    let spec = recouvre_demo::portfolio::PortfolioSpec { cases: 5, seed: 7, today: today(), officers: vec![] };
    let cases: Vec<_> = recouvre_demo::portfolio::generate(&spec).collect();
    recouvre_store::cases::open_many(&unkeyed, &cases, "system:test", chrono::Utc::now()).await.unwrap();
    let not_cut_over = recouvre(&db.url, &["audit", "verify"]);
    assert_eq!(not_cut_over.status.code(), Some(1));
    assert!(stderr(&not_cut_over).contains("aucune bascule"), "{}", stderr(&not_cut_over));

    // The cut-over, once, with the key: today's chains sealed as they are.
    let cut_over = recouvre(&db.url, &["audit", "cut-over"]);
    assert!(cut_over.status.success(), "{}", stderr(&cut_over));
    let again = recouvre(&db.url, &["audit", "cut-over"]);
    assert!(!again.status.success(), "a cut-over is made once: {}", stdout(&again));
    let sealed = recouvre(&db.url, &["audit", "verify"]);
    assert_eq!(sealed.status.code(), Some(0), "{}", stderr(&sealed));

    // Rotation: a new key first, the old one kept to verify what it sealed.
    let rotated = format!("new-2027 {}\n{TEST_AUDIT_KEY}\n", "ab".repeat(32));
    let both = recouvre_keyed(&db.url, &rotated, &["audit", "verify"]);
    assert_eq!(both.status.code(), Some(0), "{}", stderr(&both));
    let without_old = recouvre_keyed(&db.url, &format!("new-2027 {}", "ab".repeat(32)), &["audit", "verify"]);
    assert_eq!(without_old.status.code(), Some(1), "the old key's seals need the old key");

    // A sealed-at-cut-over event rewritten with its hash recomputed changes the seal's digest.
    let first = &recouvre_store::journal::events(&db.store, 2).await.unwrap()[0];
    let payload = "{\"reference\":\"réécrit\"}";
    let fields = NewEvent {
        case_id: 2,
        sequence: 1,
        kind: &first.kind,
        payload,
        actor: &first.actor,
        recorded_at: first.recorded_at,
    };
    let hash = envelope_hash(&first.previous_hash, &fields, first.personal_digest.as_deref());
    db.dba_execute(&[&format!(
        "UPDATE case_events SET payload = '{payload}', hash = '{hash}' WHERE case_id = 2 AND sequence = 1"
    )])
    .await;
    // (The next event's link now fails too, unless the DBA rewrote the whole case: either way.)
    let tampered = recouvre(&db.url, &["audit", "verify"]);
    assert_eq!(tampered.status.code(), Some(1));
    assert!(stderr(&tampered).contains("au lieu des"), "{}", stderr(&tampered));
}

#[tokio::test]
async fn the_nightly_run_writes_the_days_anchor_that_verify_reads_back() {
    let (db, keys) = portfolio().await;
    let dir = keys.path().join("worm");
    std::fs::create_dir_all(&dir).unwrap();
    let (dir_arg, key) = (dir.display().to_string(), anchor_key(keys.path()));
    let day = today().to_string();
    let run = recouvre(&db.url, &["batch", "--as-of", &day, "--anchor-dir", &dir_arg, "--anchor-key-file", &key]);
    assert!(run.status.success(), "{}", stderr(&run));
    let written: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|entry| entry.file_name()).collect();
    assert_eq!(written.len(), 1, "one anchor for the day: {written:?}");
    // The run's own bookings (interest) are in the anchored ledger; verify reads the directory.
    let clean = recouvre(&db.url, &["audit", "verify", "--anchor-dir", &dir_arg, "--anchor-key-file", &key]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    db.dba_execute(&["DELETE FROM case_events WHERE case_id = 9", "DELETE FROM cases WHERE id = 9"]).await;
    let tampered = recouvre(&db.url, &["audit", "verify", "--anchor-dir", &dir_arg, "--anchor-key-file", &key]);
    assert_eq!(tampered.status.code(), Some(1));
    assert!(stderr(&tampered).contains("dossier 9 supprimé"), "{}", stderr(&tampered));
}
