use super::*;
use chrono::TimeZone;

const SALT: &str = "00112233445566778899aabbccddeeff";

#[test]
fn event_kinds_have_distinct_codes_that_read_back() {
    let codes: std::collections::HashSet<&str> = EventKind::ALL.iter().map(|kind| kind.code()).collect();
    assert_eq!(codes.len(), EventKind::ALL.len());
    for kind in EventKind::ALL {
        assert_eq!(EventKind::from_code(kind.code()), Some(*kind));
        assert_eq!(EventKind::label_of(kind.code()), kind.label());
    }
    assert_eq!(EventKind::label_of("payment_booked"), "Paiement reçu");
    assert_eq!(EventKind::label_of("unknown"), "Événement");
}

fn chain(length: i64) -> Vec<JournalEvent> {
    let mut events: Vec<JournalEvent> = Vec::new();
    for sequence in 1..=length {
        let previous = events.last().map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
        let payload = format!("{{\"n\":{sequence}}}");
        events.push(seal(
            &previous,
            NewEvent {
                case_id: 7,
                sequence,
                kind: "note_added",
                payload: &payload,
                actor: "alice",
                recorded_at: Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, sequence as u32).unwrap(),
            },
            || SALT.to_string(),
        ));
    }
    events
}

#[test]
fn an_intact_chain_verifies() {
    assert_eq!(verify_chain(&chain(5), None), Ok(()));
}

#[test]
fn a_changed_payload_names_its_event() {
    let mut events = chain(5);
    events[2].payload = "{\"n\":999}".to_string();
    assert_eq!(
        verify_chain(&events, None),
        Err(ChainBreak::HashMismatch { case_id: 7, sequence: 3, kind: "note_added".to_string() })
    );
}

#[test]
fn a_removed_event_is_a_gap() {
    let mut events = chain(5);
    events.remove(1);
    assert!(matches!(
        verify_chain(&events, None),
        Err(ChainBreak::SequenceGap { sequence: 3, expected_sequence: 2, .. })
    ));
}

#[test]
fn a_rehashed_forgery_still_breaks_the_next_link() {
    let mut events = chain(5);
    events[1].actor = "mallory".to_string();
    let forged = envelope_hash(
        &events[1].previous_hash,
        &NewEvent {
            case_id: 7,
            sequence: 2,
            kind: &events[1].kind,
            payload: &events[1].payload,
            actor: "mallory",
            recorded_at: events[1].recorded_at,
        },
        events[1].personal_digest.as_deref(),
    );
    events[1].hash = forged;
    assert_eq!(verify_chain(&events, None), Err(ChainBreak::PreviousHashMismatch { case_id: 7, sequence: 3 }));
}

#[test]
fn storage_precision_is_stable() {
    let at = Utc.timestamp_nanos(1_790_000_000_123_456_789);
    let stored = to_storage_precision(at);
    assert_eq!(canonical_time(stored), canonical_time(at));
    assert_eq!(to_storage_precision(stored), stored);
}

/// A note's body is personal: it is kept apart, and the chain covers its salted digest.
fn notes(length: i64) -> Vec<JournalEvent> {
    let mut events: Vec<JournalEvent> = Vec::new();
    for sequence in 1..=length {
        let previous = events.last().map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
        let payload = format!("{{\"body\":\"Appel de M. Martin n° {sequence}\",\"n\":{sequence}}}");
        let salt = format!("{sequence:032x}");
        events.push(seal(
            &previous,
            NewEvent {
                case_id: 9,
                sequence,
                kind: "note_added",
                payload: &payload,
                actor: "alice",
                recorded_at: Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, sequence as u32).unwrap(),
            },
            || salt,
        ));
    }
    events
}

#[test]
fn personal_fields_are_kept_apart_and_put_back() {
    let events = notes(3);
    let event = &events[1];
    assert_eq!(event.payload, "{\"n\":2}");
    assert_eq!(event.personal.as_deref(), Some("{\"body\":\"Appel de M. Martin n° 2\"}"));
    assert_eq!(event.envelope, ENVELOPE);
    assert_eq!(event.full_payload()["body"], "Appel de M. Martin n° 2");
    assert_eq!(verify_chain(&events, None), Ok(()));
    // An event with no personal field keeps its payload as given.
    assert_eq!(chain(1)[0].payload, "{\"n\":1}");
    assert_eq!(chain(1)[0].personal, None);
}

#[test]
fn erasing_the_personal_data_leaves_the_chain_verifiable() {
    let mut events = notes(3);
    events[1].personal = None;
    events[1].personal_salt = None;
    assert_eq!(verify_chain(&events, None), Ok(()));
    assert_eq!(events[1].full_payload(), serde_json::json!({"n": 2}));
}

#[test]
fn changed_personal_data_or_a_changed_digest_is_found() {
    let mut events = notes(3);
    events[0].personal = Some("{\"body\":\"Appel de M. Dupont\"}".to_string());
    assert_eq!(
        verify_chain(&events, None),
        Err(ChainBreak::PersonalDataMismatch { case_id: 9, sequence: 1, kind: "note_added".to_string() })
    );
    let mut events = notes(3);
    events[2].personal = None;
    events[2].personal_salt = None;
    events[2].personal_digest = Some(personal_digest(SALT, "{\"body\":\"autre\"}"));
    assert_eq!(
        verify_chain(&events, None),
        Err(ChainBreak::HashMismatch { case_id: 9, sequence: 3, kind: "note_added".to_string() })
    );
}

/// Legacy events, as recorded before the envelope: the whole payload hashed.
fn legacy(length: i64) -> Vec<JournalEvent> {
    let mut events: Vec<JournalEvent> = Vec::new();
    for sequence in 1..=length {
        let previous = events.last().map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
        let payload = if sequence % 2 == 1 {
            format!("{{\"body\":\"Courrier de Mme Petit n° {sequence}\"}}")
        } else {
            format!("{{\"tags\":[\"t{sequence}\"]}}")
        };
        let kind = if sequence % 2 == 1 { "note_added" } else { "tags_changed" };
        let fields = NewEvent {
            case_id: 4,
            sequence,
            kind,
            payload: &payload,
            actor: "bob",
            recorded_at: Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, sequence as u32).unwrap(),
        };
        let hash = event_hash(&previous, &fields);
        events.push(JournalEvent {
            case_id: 4,
            sequence,
            kind: kind.to_string(),
            payload: payload.clone(),
            personal: None,
            personal_salt: None,
            personal_digest: None,
            envelope: LEGACY_ENVELOPE,
            actor: "bob".to_string(),
            recorded_at: fields.recorded_at,
            previous_hash: previous,
            hash,
        });
    }
    events
}

/// The cut-over: each legacy event's personal fields split out, the split form sealed.
fn cut_over(events: &mut [JournalEvent]) -> LegacySeal {
    for event in events.iter_mut() {
        let fields = EventKind::from_code(&event.kind).map_or(&[][..], EventKind::personal_fields);
        let (payload, personal) = split_payload(&event.payload, fields);
        if let Some(personal) = personal {
            event.personal_digest = Some(personal_digest(SALT, &personal));
            event.personal_salt = Some(SALT.to_string());
            event.personal = Some(personal);
            event.payload = payload;
        }
    }
    LegacySeal { legacy_events: events.len() as i64, digest: legacy_seal_digest(events.iter()) }
}

#[test]
fn legacy_events_verify_before_and_after_the_cut_over_and_an_erasure() {
    let mut events = legacy(4);
    assert_eq!(verify_chain(&events, None), Ok(()));
    let seal = cut_over(&mut events);
    assert_eq!(events[0].payload, "{}");
    // Split without a seal: refused.
    assert_eq!(verify_chain(&events, None), Err(ChainBreak::UnsealedLegacyEvent { case_id: 4, sequence: 1 }));
    assert_eq!(verify_chain(&events, Some(&seal)), Ok(()));
    // New events chain on after the legacy ones.
    let next = seal_next(&events);
    events.push(next);
    assert_eq!(verify_chain(&events, Some(&seal)), Ok(()));
    // The personal data of a legacy event erased: still verifies.
    events[2].personal = None;
    events[2].personal_salt = None;
    assert_eq!(verify_chain(&events, Some(&seal)), Ok(()));
    // A split legacy payload changed: the seal no longer matches.
    events[0].payload = "{\"forged\":true}".to_string();
    assert_eq!(
        verify_chain(&events, Some(&seal)),
        Err(ChainBreak::LegacySealMismatch { case_id: 4, legacy_events: 4 })
    );
    // A legacy event never split (no personal field) keeps its own hash check.
    let mut events = legacy(4);
    let seal = cut_over(&mut events);
    events[1].payload = "{\"tags\":[\"forged\"]}".to_string();
    assert_eq!(
        verify_chain(&events, Some(&seal)),
        Err(ChainBreak::HashMismatch { case_id: 4, sequence: 2, kind: "tags_changed".to_string() })
    );
}

fn seal_next(events: &[JournalEvent]) -> JournalEvent {
    let last = events.last().unwrap();
    seal(
        &last.hash,
        NewEvent {
            case_id: last.case_id,
            sequence: last.sequence + 1,
            kind: "note_added",
            payload: "{\"body\":\"suite\"}",
            actor: "bob",
            recorded_at: Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap(),
        },
        || SALT.to_string(),
    )
}

#[test]
fn every_kind_with_personal_fields_is_a_known_kind() {
    for kind in EventKind::ALL {
        for field in kind.personal_fields() {
            assert!(!field.is_empty(), "{kind:?}");
        }
    }
    assert_eq!(EventKind::NoteAdded.personal_fields(), &["body"]);
    assert!(EventKind::InterestAccrued.personal_fields().is_empty());
}
