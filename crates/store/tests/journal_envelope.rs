//! The erasable envelope of journal events, on both engines: personal data kept apart from the
//! hashed payload, erasable without breaking a chain, and the one-time cut-over of the events
//! recorded before it (docs/journal.md).

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::journal::{event_hash, ChainBreak, JournalEvent, NewEvent, GENESIS_HASH, LEGACY_ENVELOPE};
use recouvre_store::sql;
mod common;

use common::TestDb;

/// Rewrites case `case_id`'s events as the version before the envelope stored them: the whole
/// payload in `payload`, hashed with the legacy formula, chained again from the start.
async fn make_legacy(db: &TestDb, case_id: i64) -> Vec<JournalEvent> {
    recouvre_store::audit::drop_append_only_guards(&db.store).await.unwrap(); // tamper as a DBA would
    let events = recouvre_store::journal::events(&db.store, case_id).await.unwrap();
    let mut previous = GENESIS_HASH.to_string();
    let mut legacy = Vec::new();
    for event in events {
        let payload = event.full_payload().to_string();
        let fields = NewEvent {
            case_id,
            sequence: event.sequence,
            kind: &event.kind,
            payload: &payload,
            actor: &event.actor,
            recorded_at: event.recorded_at,
        };
        let hash = event_hash(&previous, &fields);
        sql::query(
            "UPDATE case_events SET payload = $3, personal = NULL, personal_salt = NULL, personal_digest = NULL, \
             envelope = 1, previous_hash = $4, hash = $5 WHERE case_id = $1 AND sequence = $2",
        )
        .bind(case_id)
        .bind(event.sequence)
        .bind(payload.clone())
        .bind(previous.clone())
        .bind(hash.clone())
        .execute(&db.store)
        .await
        .unwrap();
        legacy.push(JournalEvent {
            payload,
            personal: None,
            personal_salt: None,
            personal_digest: None,
            envelope: LEGACY_ENVELOPE,
            previous_hash: previous.clone(),
            hash: hash.clone(),
            ..event
        });
        previous = hash;
    }
    legacy
}

async fn first_break(db: &TestDb) -> Option<ChainBreak> {
    recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break
}

#[tokio::test]
async fn personal_data_is_kept_apart_and_erasing_it_keeps_the_chain() {
    let db = TestDb::new().await;
    db.seed(3, &[]).await;
    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    let opened = &events[0];
    assert_eq!(opened.kind, "case_opened");
    // The debtor's name and customer number are not in the hashed payload.
    let debtor = opened.full_payload()["debtor"].as_str().unwrap().to_string();
    assert!(!opened.payload.contains(&debtor), "{}", opened.payload);
    assert!(opened.personal.as_deref().unwrap().contains(&debtor));
    assert_eq!(first_break(&db).await, None);

    // Erasure: the personal data and its salt go, the digest stays; every chain still verifies.
    sql::query("UPDATE case_events SET personal = NULL, personal_salt = NULL WHERE case_id = 1 AND sequence = 1")
        .execute(&db.store)
        .await
        .unwrap();
    assert_eq!(first_break(&db).await, None);
    let erased = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    assert!(erased[0].full_payload().get("debtor").is_none());

    // Personal data changed behind the application's back is found.
    recouvre_store::audit::drop_append_only_guards(&db.store).await.unwrap(); // tamper as a DBA would
    sql::query("UPDATE case_events SET personal = '{\"debtor\":\"FAUX Nom\"}' WHERE case_id = 2 AND sequence = 1")
        .execute(&db.store)
        .await
        .unwrap();
    assert_eq!(
        first_break(&db).await,
        Some(ChainBreak::PersonalDataMismatch { case_id: 2, sequence: 1, kind: "case_opened".to_string() })
    );
}

#[tokio::test]
async fn the_cut_over_splits_and_seals_legacy_events_once() {
    let db = TestDb::new().await;
    db.seed(3, &[]).await;
    let legacy = make_legacy(&db, 2).await;
    assert!(legacy.len() >= 2);
    // As the previous version left it: the whole payload hashed, and it verifies.
    assert_eq!(first_break(&db).await, None);
    let before = legacy[0].full_payload();

    let cut_over = recouvre_store::journal::cut_over(&db.store, chrono::Utc::now()).await.unwrap();
    assert_eq!(cut_over.cases_sealed, 1);
    assert!(cut_over.events_split >= 1);
    assert!(cut_over.cases_refused.is_empty());
    let split = recouvre_store::journal::events(&db.store, 2).await.unwrap();
    assert_eq!(split[0].full_payload(), before, "the facts read back the same");
    assert!(split[0].personal.is_some());
    // The legacy chain keeps its hashes: not re-chained.
    assert_eq!(
        split.iter().map(|event| &event.hash).collect::<Vec<_>>(),
        legacy.iter().map(|e| &e.hash).collect::<Vec<_>>()
    );
    assert_eq!(first_break(&db).await, None);
    // Once only: running it again changes nothing.
    let again = recouvre_store::journal::cut_over(&db.store, chrono::Utc::now()).await.unwrap();
    assert_eq!((again.cases_sealed, again.events_split), (0, 0));

    // New events chain on after the legacy ones.
    let version = recouvre_store::cases::detail(&db.store, 2).await.unwrap().version;
    recouvre_store::cases::add_note(&db.store, 2, version, "camille", "Appel du débiteur", chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(first_break(&db).await, None);

    // Erasing a legacy event's personal data keeps the chain verifiable.
    sql::query("UPDATE case_events SET personal = NULL, personal_salt = NULL WHERE case_id = 2 AND sequence = 1")
        .execute(&db.store)
        .await
        .unwrap();
    assert_eq!(first_break(&db).await, None);

    // A split legacy payload changed afterwards breaks the seal.
    recouvre_store::audit::drop_append_only_guards(&db.store).await.unwrap(); // tamper as a DBA would
    sql::query("UPDATE case_events SET payload = '{\"reference\":\"forged\"}' WHERE case_id = 2 AND sequence = 1")
        .execute(&db.store)
        .await
        .unwrap();
    assert!(
        matches!(first_break(&db).await, Some(ChainBreak::LegacySealMismatch { case_id: 2, .. })),
        "{:?}",
        first_break(&db).await
    );
}

#[tokio::test]
async fn a_tampered_legacy_chain_is_not_sealed() {
    let db = TestDb::new().await;
    db.seed(2, &[]).await;
    make_legacy(&db, 1).await;
    recouvre_store::audit::drop_append_only_guards(&db.store).await.unwrap(); // tamper as a DBA would
    sql::query("UPDATE case_events SET actor = 'mallory' WHERE case_id = 1 AND sequence = 1")
        .execute(&db.store)
        .await
        .unwrap();
    let cut_over = recouvre_store::journal::cut_over(&db.store, chrono::Utc::now()).await.unwrap();
    assert_eq!(cut_over.cases_sealed, 0);
    assert_eq!(cut_over.cases_refused.len(), 1);
    assert!(matches!(first_break(&db).await, Some(ChainBreak::HashMismatch { case_id: 1, sequence: 1, .. })));
}
