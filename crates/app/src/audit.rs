//! Integrity checks: every case's journal chain recomputed, the keyed seals of the journal and
//! the ledger checked, and the signed anchors compared with the database (docs/security.md
//! « Preuve face à un administrateur de base »).
//!
//! An anchor is the day's heads — each case's last event and its hash, the ledger's last
//! transaction with the number and digest of its postings — in a text file signed with an
//! Ed25519 key kept outside the database, which the bank stores on write-once media. A case or a
//! posting deleted after the anchor leaves no broken link in the database, but no longer matches
//! the anchor.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_store::audit::{AnchoredHead, LedgerCheckpoint};
use recouvre_store::journal::VerifyReport;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

use crate::{Actor, App, Error, Result};

/// Recomputes every case's hash chain; the report names the first broken link, if any.
pub async fn verify(app: &App, actor: &Actor) -> Result<VerifyReport> {
    require_system(actor)?;
    Ok(recouvre_store::journal::verify_all(app.store()).await?)
}

fn require_system(actor: &Actor) -> Result<()> {
    if !actor.is_system() {
        return Err(Error::forbidden(
            "la vérification des journaux se lance depuis le serveur (recouvre audit verify)",
        ));
    }
    Ok(())
}

/// The Ed25519 key of the anchors: the private key (a 32-byte seed) to sign them, or only the
/// public key to check them. Its text: `ed25519-seed HEX` or `ed25519-public HEX`.
pub enum AnchorKey {
    Signing(Ed25519KeyPair),
    Verifying(Vec<u8>),
}

impl std::fmt::Debug for AnchorKey {
    // Never print the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AnchorKey({})", self.public_hex())
    }
}

impl AnchorKey {
    /// Reads a key file's text; the error says, in French, what is expected.
    pub fn parse(text: &str) -> std::result::Result<AnchorKey, String> {
        let line = text.lines().map(str::trim).find(|line| !line.is_empty() && !line.starts_with('#')).unwrap_or("");
        let expected =
            "clé d'ancrage : « ed25519-seed HEX » (64 chiffres hexadécimaux) ou « ed25519-public HEX » attendu";
        let (kind, value) = line.split_once(' ').ok_or_else(|| expected.to_string())?;
        let bytes = hex::decode(value.trim()).map_err(|_| expected.to_string())?;
        if bytes.len() != 32 {
            return Err(expected.to_string());
        }
        match kind {
            "ed25519-seed" => {
                Ed25519KeyPair::from_seed_unchecked(&bytes).map(AnchorKey::Signing).map_err(|_| expected.to_string())
            }
            "ed25519-public" => Ok(AnchorKey::Verifying(bytes)),
            _ => Err(expected.to_string()),
        }
    }

    /// A new private key's text, from 32 random bytes (the caller draws them).
    pub fn seed_text(seed: &[u8; 32]) -> String {
        format!("ed25519-seed {}\n", hex::encode(seed))
    }

    pub fn public_key(&self) -> Vec<u8> {
        match self {
            AnchorKey::Signing(pair) => pair.public_key().as_ref().to_vec(),
            AnchorKey::Verifying(public) => public.clone(),
        }
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.public_key())
    }

    /// The public key's text, to give the verifiers.
    pub fn public_text(&self) -> String {
        format!("ed25519-public {}\n", self.public_hex())
    }
}

const ANCHOR_HEADER: &str = "recouvre-anchor 1";

/// The file name of the anchor of `date` in an anchor directory.
pub fn anchor_file_name(date: NaiveDate) -> String {
    format!("recouvre-anchor-{date}.txt")
}

/// A signed anchor.
#[derive(Debug, Clone)]
pub struct Anchor {
    pub text: String,
    pub cases: usize,
    pub ledger: Option<LedgerCheckpoint>,
}

/// Writes today's anchor: every case's head and the ledger's, signed with `key` (which must be
/// the private key).
pub async fn anchor(app: &App, actor: &Actor, key: &AnchorKey) -> Result<Anchor> {
    require_system(actor)?;
    let AnchorKey::Signing(pair) = key else {
        return Err(Error::invalid(
            "anchor_key",
            "anchor_key_public",
            "la clé d'ancrage donnée est publique : il faut la clé privée (ed25519-seed) pour signer une ancre",
        ));
    };
    let (heads, ledger) = recouvre_store::audit::journal_heads(app.store()).await?;
    let seals = recouvre_store::audit::cut_over_seals(app.store()).await?;
    Ok(anchor_text(pair, app.today(), app.now(), &heads, &seals, ledger))
}

/// The one-time cut-over to keyed seals of a database that has rows written without a key
/// (`recouvre audit cut-over`): they are sealed as they are.
pub async fn cut_over(app: &App, actor: &Actor) -> Result<recouvre_store::audit::SealCutOver> {
    require_system(actor)?;
    let Some(keys) = app.store().audit_keys() else {
        return Err(Error::invalid(
            "audit_key",
            "audit_key_missing",
            "la bascule scelle avec la clé d'audit : donnez --audit-key-file ou RECOUVRE_AUDIT_KEY",
        ));
    };
    Ok(recouvre_store::audit::cut_over(app.store(), keys, app.now()).await?)
}

fn anchor_text(
    pair: &Ed25519KeyPair,
    date: NaiveDate,
    now: DateTime<Utc>,
    heads: &[(i64, i64, String)],
    seals: &[(String, i64, String)],
    ledger: Option<LedgerCheckpoint>,
) -> Anchor {
    use std::fmt::Write;
    let mut body = format!("{ANCHOR_HEADER}\ndate {date}\ncreated_at {}\ncases {}\n", now.to_rfc3339(), heads.len());
    for (case_id, sequence, hash) in heads {
        let _ = writeln!(body, "case {case_id} {sequence} {hash}");
    }
    for (chain, rows, digest) in seals {
        let _ = writeln!(body, "seal {chain} {rows} {digest}");
    }
    match &ledger {
        Some(at) => {
            let _ = writeln!(body, "ledger {} {} {}", at.last_transaction, at.postings, at.digest);
        }
        None => body.push_str("ledger none\n"),
    }
    let signature = pair.sign(body.as_bytes());
    let _ = writeln!(body, "public-key {}", hex::encode(pair.public_key().as_ref()));
    let _ = writeln!(body, "signature {}", hex::encode(signature.as_ref()));
    Anchor { text: body, cases: heads.len(), ledger }
}

/// An anchor read back and its signature checked.
struct ParsedAnchor {
    heads: Vec<AnchoredHead>,
    seals: Vec<(String, i64, String)>,
    ledger: Option<LedgerCheckpoint>,
}

fn parse_anchor(name: &str, text: &str, key: &AnchorKey) -> std::result::Result<ParsedAnchor, String> {
    let malformed = |what: &str| format!("ancre {name} : {what}");
    let Some(split) = text.find("\npublic-key ") else { return Err(malformed("signature absente")) };
    let (body, trailer) = text.split_at(split + 1);
    let mut public = None;
    let mut signature = None;
    for line in trailer.lines() {
        if let Some(value) = line.strip_prefix("public-key ") {
            public = hex::decode(value.trim()).ok();
        } else if let Some(value) = line.strip_prefix("signature ") {
            signature = hex::decode(value.trim()).ok();
        }
    }
    let (Some(public), Some(signature)) = (public, signature) else { return Err(malformed("signature illisible")) };
    if public != key.public_key() {
        return Err(malformed("signée par une autre clé que la clé d'ancrage donnée"));
    }
    if UnparsedPublicKey::new(&ED25519, &public).verify(body.as_bytes(), &signature).is_err() {
        return Err(malformed("signature invalide (fichier modifié après sa signature)"));
    }
    let mut lines = body.lines();
    if lines.next() != Some(ANCHOR_HEADER) {
        return Err(malformed("en-tête inconnu"));
    }
    let mut heads = Vec::new();
    let mut seals = Vec::new();
    let mut ledger = None;
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields.as_slice() {
            ["case", case_id, sequence, hash] => {
                let (Ok(case_id), Ok(sequence)) = (case_id.parse(), sequence.parse()) else {
                    return Err(malformed("ligne de dossier illisible"));
                };
                heads.push(AnchoredHead { case_id, sequence, hash: (*hash).to_string(), anchor: name.to_string() });
            }
            ["ledger", last, postings, digest] => {
                let (Ok(last_transaction), Ok(postings)) = (last.parse(), postings.parse()) else {
                    return Err(malformed("ligne du grand livre illisible"));
                };
                ledger = Some(LedgerCheckpoint { last_transaction, postings, digest: (*digest).to_string() });
            }
            ["seal", chain, rows, digest] => {
                let Ok(rows) = rows.parse() else { return Err(malformed("ligne de bascule illisible")) };
                seals.push(((*chain).to_string(), rows, (*digest).to_string()));
            }
            _ => {}
        }
    }
    Ok(ParsedAnchor { heads, seals, ledger })
}

/// Everything `recouvre audit verify` checked.
#[derive(Debug, Clone)]
pub struct AuditReport {
    /// The SHA-256 chains of the journals.
    pub journal: VerifyReport,
    /// Whether the keyed seals were checked (a key was given).
    pub keyed: bool,
    pub events_sealed_checked: u64,
    pub postings_checked: u64,
    pub anchors_checked: usize,
    /// What is wrong, one French sentence each (the SHA-256 chain's first break included).
    pub findings: Vec<String>,
}

impl AuditReport {
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }
}

/// The full verification: the journals' chains, the keyed seals of the journal and the ledger
/// with the store's audit keys (if it has any), and each anchor (name, text) against the
/// database with `anchor_key`.
pub async fn verify_all(
    app: &App,
    actor: &Actor,
    anchors: &[(String, String)],
    anchor_key: Option<&AnchorKey>,
) -> Result<AuditReport> {
    require_system(actor)?;
    let journal = recouvre_store::journal::verify_all(app.store()).await?;
    let mut findings: Vec<String> =
        journal.first_break.iter().map(|broken| format!("journal altéré : {broken}")).collect();
    let mut heads = Vec::new();
    let mut checkpoints = Vec::new();
    let seals_now = recouvre_store::audit::cut_over_seals(app.store()).await?;
    for (name, text) in anchors {
        let Some(key) = anchor_key else {
            return Err(Error::invalid(
                "anchor_key",
                "anchor_key_missing",
                "des ancres sont données sans la clé d'ancrage pour vérifier leur signature (--anchor-key-file)",
            ));
        };
        match parse_anchor(name, text, key) {
            Ok(parsed) => {
                // The cut-over's seals never change once made: deleted and made again, they
                // could vouch for rows changed since.
                for seal in &parsed.seals {
                    if !seals_now.contains(seal) {
                        findings.push(format!(
                            "bascule du {} : sceau différent de celui de l'ancre {name} (supprimé ou refait)",
                            seal.0
                        ));
                    }
                }
                heads.extend(parsed.heads);
                checkpoints.push((name.clone(), parsed.ledger));
            }
            Err(finding) => findings.push(finding),
        }
    }
    let keys = app.store().audit_keys();
    let wanted: Vec<i64> = checkpoints.iter().filter_map(|(_, at)| at.as_ref().map(|at| at.last_transaction)).collect();
    let seals = recouvre_store::audit::verify_seals(app.store(), keys, &heads, &wanted).await?;
    for (name, anchored) in &checkpoints {
        let Some(anchored) = anchored else { continue };
        let now = seals.ledger_at.iter().find(|at| at.last_transaction == anchored.last_transaction);
        if now != Some(anchored) {
            let postings = now.map_or(0, |at| at.postings);
            findings.push(format!(
                "grand livre : jusqu'à l'opération n° {}, {postings} écriture(s) au lieu des {} de l'ancre {name} \
                 (écriture supprimée ou modifiée)",
                anchored.last_transaction, anchored.postings
            ));
        }
    }
    findings.extend(seals.findings);
    Ok(AuditReport {
        journal,
        keyed: keys.is_some(),
        events_sealed_checked: seals.events_checked,
        postings_checked: seals.postings_checked,
        anchors_checked: anchors.len(),
        findings,
    })
}

/// A new pair of keys for a bank to keep outside the database: the HMAC key's text (`KEY_ID
/// HEX`, its id naming the day it was drawn) and the anchors' Ed25519 private key's text.
pub fn new_keys(today: NaiveDate) -> (String, String) {
    use rand::RngCore;
    let mut secret = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let mut seed = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    (format!("k{} {}\n", today.format("%Y%m%d"), hex::encode(secret)), AnchorKey::seed_text(&seed))
}
