//! Verifying a case's chain: every event's hash recomputed, every link followed, the digest of
//! its personal data checked while the data is kept, and the legacy events checked against the
//! seal made when they were split.

use sha2::{Digest, Sha256};

use super::{
    envelope_hash, event_hash, personal_digest, JournalEvent, NewEvent, ENVELOPE, GENESIS_HASH, LEGACY_ENVELOPE,
};

/// Why a stored chain does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("dossier {case_id}, événement n° {sequence} : numéro attendu {expected_sequence} (événement manquant ou en trop)")]
    SequenceGap { case_id: i64, sequence: i64, expected_sequence: i64 },
    #[error("dossier {case_id}, événement n° {sequence} : ne pointe pas vers l'empreinte de l'événement précédent (chaîne rompue)")]
    PreviousHashMismatch { case_id: i64, sequence: i64 },
    #[error("dossier {case_id}, événement n° {sequence} ({kind}) : contenu modifié après son enregistrement (empreinte recalculée différente)")]
    HashMismatch { case_id: i64, sequence: i64, kind: String },
    /// The personal data kept apart no longer matches the digest the chain covers.
    #[error("dossier {case_id}, événement n° {sequence} ({kind}) : données personnelles modifiées après leur enregistrement (empreinte salée différente)")]
    PersonalDataMismatch { case_id: i64, sequence: i64, kind: String },
    /// The legacy events no longer match the seal made when they were split.
    #[error("dossier {case_id} : les {legacy_events} événement(s) antérieurs à l'enveloppe ne correspondent plus au scellement fait lors de la bascule")]
    LegacySealMismatch { case_id: i64, legacy_events: i64 },
    /// An event in the legacy form outside the sealed span, or split with no seal.
    #[error("dossier {case_id}, événement n° {sequence} : forme ancienne hors de la partie scellée du journal")]
    UnsealedLegacyEvent { case_id: i64, sequence: i64 },
    /// The last events were removed: the chain is intact but shorter than the case's version.
    #[error("dossier {case_id} : le journal s'arrête à l'événement n° {last_sequence} alors que le dossier en est à la version {version} (événements supprimés)")]
    Truncated { case_id: i64, last_sequence: i64, version: i64 },
}

impl ChainBreak {
    pub fn case_id(&self) -> i64 {
        match self {
            ChainBreak::SequenceGap { case_id, .. }
            | ChainBreak::PreviousHashMismatch { case_id, .. }
            | ChainBreak::HashMismatch { case_id, .. }
            | ChainBreak::PersonalDataMismatch { case_id, .. }
            | ChainBreak::LegacySealMismatch { case_id, .. }
            | ChainBreak::UnsealedLegacyEvent { case_id, .. }
            | ChainBreak::Truncated { case_id, .. } => *case_id,
        }
    }
}

/// What the cut-over to the envelope recorded of a case's legacy events: how many there were
/// (events 1 to `legacy_events`) and the digest of their split form ([`legacy_seal_digest`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacySeal {
    pub legacy_events: i64,
    pub digest: String,
}

/// The digest a cut-over seals a case's legacy events with: SHA-256 over each event's number,
/// stored hash, the SHA-256 of its payload without personal data, and the digest of its personal
/// data (empty when none), in order. It depends on nothing an erasure removes.
pub fn legacy_seal_digest<'a>(legacy_events: impl IntoIterator<Item = &'a JournalEvent>) -> String {
    let mut hasher = Sha256::new();
    for event in legacy_events {
        let payload_digest = hex::encode(Sha256::digest(event.payload.as_bytes()));
        let sequence = event.sequence.to_string();
        for field in [sequence.as_str(), &event.hash, &payload_digest, event.personal_digest.as_deref().unwrap_or("")] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
    }
    hex::encode(hasher.finalize())
}

fn fields(event: &JournalEvent) -> NewEvent<'_> {
    NewEvent {
        case_id: event.case_id,
        sequence: event.sequence,
        kind: &event.kind,
        payload: &event.payload,
        actor: &event.actor,
        recorded_at: event.recorded_at,
    }
}

/// The personal data kept, if any, still matches its digest.
fn personal_data_intact(event: &JournalEvent) -> bool {
    match (&event.personal, &event.personal_salt, &event.personal_digest) {
        (Some(personal), Some(salt), Some(digest)) => personal_digest(salt, personal) == *digest,
        // Erased: data and salt gone together, the digest stays.
        (None, None, _) => true,
        _ => false,
    }
}

/// Walks one case's events in sequence order and returns the first broken link. `seal` is the
/// case's legacy seal, if its legacy events were split at the cut-over.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a JournalEvent>,
    seal: Option<&LegacySeal>,
) -> Result<(), ChainBreak> {
    let mut previous_hash = GENESIS_HASH.to_string();
    let mut sealed: Vec<&JournalEvent> = Vec::new();
    for (expected_sequence, event) in (1_i64..).zip(events) {
        let (case_id, sequence, kind) = (event.case_id, event.sequence, event.kind.clone());
        if sequence != expected_sequence {
            return Err(ChainBreak::SequenceGap { case_id, sequence, expected_sequence });
        }
        if event.previous_hash != previous_hash {
            return Err(ChainBreak::PreviousHashMismatch { case_id, sequence });
        }
        if !personal_data_intact(event) {
            return Err(ChainBreak::PersonalDataMismatch { case_id, sequence, kind });
        }
        let split = event.personal_digest.is_some();
        match (event.envelope, seal) {
            (ENVELOPE, _) => {
                if envelope_hash(&previous_hash, &fields(event), event.personal_digest.as_deref()) != event.hash {
                    return Err(ChainBreak::HashMismatch { case_id, sequence, kind });
                }
            }
            (LEGACY_ENVELOPE, Some(seal)) if sequence <= seal.legacy_events => {
                // A legacy event with no personal data was never split: its own hash still
                // covers it. Split or not, the seal covers every legacy event.
                if !split && event_hash(&previous_hash, &fields(event)) != event.hash {
                    return Err(ChainBreak::HashMismatch { case_id, sequence, kind });
                }
                sealed.push(event);
                if sequence == seal.legacy_events && legacy_seal_digest(sealed.iter().copied()) != seal.digest {
                    return Err(ChainBreak::LegacySealMismatch { case_id, legacy_events: seal.legacy_events });
                }
            }
            (LEGACY_ENVELOPE, None) if !split => {
                if event_hash(&previous_hash, &fields(event)) != event.hash {
                    return Err(ChainBreak::HashMismatch { case_id, sequence, kind });
                }
            }
            _ => return Err(ChainBreak::UnsealedLegacyEvent { case_id, sequence }),
        }
        previous_hash = event.hash.clone();
    }
    if let Some(seal) = seal {
        if (sealed.len() as i64) < seal.legacy_events {
            let case_id = sealed.first().map_or(0, |event| event.case_id);
            return Err(ChainBreak::LegacySealMismatch { case_id, legacy_events: seal.legacy_events });
        }
    }
    Ok(())
}
