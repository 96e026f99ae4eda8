//! Tamper evidence that holds against whoever can write the database (issue 24, part 1;
//! docs/security.md « Preuve face à un administrateur de base »).
//!
//! The journal's SHA-256 chain ([`crate::journal`]) shows an edit only to someone who trusts the
//! database: whoever can write it can recompute every hash after the edited event. So each link
//! is also sealed with an HMAC-SHA256 under a key kept outside the database ([`AuditKeys`]):
//! - a journal event: `HMAC(key, "recouvre-journal-1", key id, case, sequence, hash)` in
//!   `case_events.mac` (its hash covers the previous hash, so the seals chain too);
//! - a ledger posting: `HMAC(key, "recouvre-ledger-1", key id, digest)` in `ledger_postings.mac`,
//!   where the digest covers its transaction (id, kind, date, reference, actor), the posting
//!   (case, account, amount) and its place among its transaction's postings (index and count):
//!   a posting deleted, added or edited breaks its transaction's seals.
//!
//! The key id is stored with each seal (`mac_key`), so that a key can be rotated: new rows are
//! sealed with the first key of [`AuditKeys`], older ones still verify with the retired keys
//! kept after it. Rows written before the cut-over (or by a process run without a key) have no
//! seal: the cut-over ([`cut_over`], once, by the operator; at the first migration of a new
//! database) seals
//! them as they are with one HMAC over their digest (`audit_seals`), and `recouvre audit verify`
//! recomputes that digest; any unsealed row written since changes it.
//!
//! Deletions of whole cases, or of a chain's last links, leave no broken link: they are found
//! against the signed anchors (`recouvre audit anchor`, `recouvre_app::audit`), which list each
//! case's head and the ledger's digest at their date ([`LedgerCheckpoint`]).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use sha2::{Digest, Sha256};

use crate::db::{query, query_as};
use crate::{Result, Store, Tx};

/// The domain of a journal event's seal.
const JOURNAL_DOMAIN: &str = "recouvre-journal-1";
/// The domain of a ledger posting's seal.
const LEDGER_DOMAIN: &str = "recouvre-ledger-1";
/// The domain of a cut-over seal.
const CUT_OVER_DOMAIN: &str = "recouvre-cut-over-1";
pub use crate::audit_keys::{AuditKeys, SealCheck, MIN_KEY_BYTES};

/// A row's seal columns (`mac_key`, `mac`); both `None` when written without keys.
pub(crate) type Seal = (Option<String>, Option<String>);

/// What a journal event's seal covers: its case, number and hash (which covers the rest).
fn event_link(case_id: i64, sequence: i64, hash: &str) -> String {
    format!("{case_id}:{sequence}:{hash}")
}

/// A journal event's seal columns (`mac_key`, `mac`), or none without keys.
pub(crate) fn event_seal(keys: Option<&AuditKeys>, case_id: i64, sequence: i64, hash: &str) -> Seal {
    match keys {
        Some(keys) => {
            let (id, mac) = keys.seal(JOURNAL_DOMAIN, &event_link(case_id, sequence, hash));
            (Some(id), Some(mac))
        }
        None => (None, None),
    }
}

/// The ledger fields a posting's seal covers.
pub(crate) struct PostingFields<'a> {
    pub transaction_id: i64,
    pub kind: &'a str,
    pub booked_on: NaiveDate,
    pub reference: &'a str,
    pub actor: &'a str,
    pub case_id: Option<i64>,
    pub account: &'a str,
    pub amount_cents: i64,
    /// Its place among its transaction's postings (0-based, in insertion order) and their number.
    pub index: usize,
    pub count: usize,
}

fn posting_digest(fields: &PostingFields<'_>) -> String {
    let mut hasher = Sha256::new();
    let values = [
        fields.transaction_id.to_string(),
        fields.kind.to_string(),
        fields.booked_on.format("%Y-%m-%d").to_string(),
        fields.reference.to_string(),
        fields.actor.to_string(),
        fields.case_id.map(|id| id.to_string()).unwrap_or_default(),
        fields.account.to_string(),
        fields.amount_cents.to_string(),
        fields.index.to_string(),
        fields.count.to_string(),
    ];
    for field in &values {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// A ledger posting's seal columns (`mac_key`, `mac`), or none without keys.
pub(crate) fn posting_seal(keys: Option<&AuditKeys>, fields: &PostingFields<'_>) -> Seal {
    match keys {
        Some(keys) => {
            let (id, mac) = keys.seal(LEDGER_DOMAIN, &posting_digest(fields));
            (Some(id), Some(mac))
        }
        None => (None, None),
    }
}

impl Tx {
    /// The seal columns of one posting written inside this transaction.
    pub(crate) fn posting_seal(&self, fields: &PostingFields<'_>) -> Seal {
        posting_seal(self.audit_keys(), fields)
    }
}

/// The two sealed chains, as named in `audit_seals`.
const CHAINS: [&str; 2] = ["journal", "ledger"];

/// Rows read per page while verifying.
const PAGE_ROWS: i64 = 10_000;

/// Unsealed rows folded into one digest, in the order verify reads them.
#[derive(Default)]
struct UnsealedDigest {
    rows: i64,
    hasher: Sha256,
}

impl UnsealedDigest {
    fn add(&mut self, link: &str) {
        self.rows += 1;
        self.hasher.update((link.len() as u64).to_be_bytes());
        self.hasher.update(link.as_bytes());
    }
    fn finish(self) -> (i64, String) {
        (self.rows, hex::encode(self.hasher.finalize()))
    }
}

/// The ledger as it stood at an anchor: its last transaction id, and the number of postings
/// up to it with their digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerCheckpoint {
    pub last_transaction: i64,
    pub postings: i64,
    pub digest: String,
}

/// What an anchor says a case's journal held: its event `sequence` had `hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchoredHead {
    pub case_id: i64,
    pub sequence: i64,
    pub hash: String,
    /// The anchor's name, for the report.
    pub anchor: String,
}

/// What the keyed verification found, in French, one finding per line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SealReport {
    pub events_checked: u64,
    pub postings_checked: u64,
    /// The ledger at each checkpoint asked for (same order).
    pub ledger_at: Vec<LedgerCheckpoint>,
    pub findings: Vec<String>,
}

/// Findings kept per verification: enough to act on, never the whole database.
const MAX_FINDINGS: usize = 50;

impl SealReport {
    fn find(&mut self, finding: String) {
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(finding);
        }
    }
}

#[derive(sqlx::FromRow)]
struct SealedEventRow {
    case_id: i64,
    sequence: i64,
    hash: String,
    mac_key: Option<String>,
    mac: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SealedPostingRow {
    id: i64,
    transaction_id: i64,
    kind: String,
    booked_on: NaiveDate,
    reference: String,
    actor: String,
    case_id: Option<i64>,
    account: String,
    amount_cents: i64,
    mac_key: Option<String>,
    mac: Option<String>,
}

impl SealedPostingRow {
    /// What this posting's seal covers, as the `index`-th of its transaction's `count` postings.
    fn digest(&self, index: usize, count: usize) -> String {
        posting_digest(&PostingFields {
            transaction_id: self.transaction_id,
            kind: &self.kind,
            booked_on: self.booked_on,
            reference: &self.reference,
            actor: &self.actor,
            case_id: self.case_id,
            account: &self.account,
            amount_cents: self.amount_cents,
            index,
            count,
        })
    }
}

/// Checks every seal of the journal and the ledger with `keys` (when given: without them only
/// the anchors are checked), the cut-over seals, and the heads anchors recorded (`anchored`); computes the ledger at each of `checkpoints` (last
/// transaction ids, for the anchors). Reads in one snapshot.
pub async fn verify_seals(
    store: &Store,
    keys: Option<&AuditKeys>,
    anchored: &[AnchoredHead],
    checkpoints: &[i64],
) -> Result<SealReport> {
    let mut tx = store.begin_read().await?;
    let mut report = SealReport::default();
    let mut heads: HashMap<(i64, i64), Vec<&AnchoredHead>> = HashMap::new();
    for head in anchored {
        heads.entry((head.case_id, head.sequence)).or_default().push(head);
    }
    let mut found_heads = 0_usize;
    let mut unsealed_events = UnsealedDigest::default();
    let (mut after_case, mut after_sequence) = (0_i64, 0_i64);
    loop {
        let rows: Vec<SealedEventRow> = query_as(
            "SELECT case_id, sequence, hash, mac_key, mac FROM case_events \
             WHERE (case_id > $1) OR (case_id = $1 AND sequence > $2) ORDER BY case_id, sequence LIMIT $3",
        )
        .bind(after_case)
        .bind(after_sequence)
        .bind(PAGE_ROWS)
        .fetch_all(&mut tx)
        .await?;
        let page_len = rows.len() as i64;
        for row in rows {
            (after_case, after_sequence) = (row.case_id, row.sequence);
            report.events_checked += 1;
            let link = event_link(row.case_id, row.sequence, &row.hash);
            match (keys, &row.mac_key, &row.mac) {
                (None, _, _) => {}
                (Some(keys), Some(key_id), Some(mac)) => match keys.check(key_id, JOURNAL_DOMAIN, &link, mac) {
                    SealCheck::Valid => {}
                    SealCheck::Invalid => report.find(format!(
                        "dossier {}, événement n° {} : sceau HMAC invalide (événement modifié dans la base, empreintes recalculées)",
                        row.case_id, row.sequence
                    )),
                    SealCheck::UnknownKey => report.find(format!(
                        "dossier {}, événement n° {} : scellé avec la clé « {key_id} », absente des clés données",
                        row.case_id, row.sequence
                    )),
                },
                _ => unsealed_events.add(&link),
            }
            if let Some(expected) = heads.get(&(row.case_id, row.sequence)) {
                found_heads += expected.len();
                for head in expected {
                    if head.hash != row.hash {
                        report.find(format!(
                            "dossier {}, événement n° {} : empreinte différente de celle de l'ancre {} (journal réécrit)",
                            row.case_id, row.sequence, head.anchor
                        ));
                    }
                }
            }
        }
        if page_len < PAGE_ROWS {
            break;
        }
    }
    if found_heads < anchored.len() {
        // Which anchored heads were not read: ask for each one.
        for head in anchored {
            let exists: Option<(i64,)> =
                query_as("SELECT sequence FROM case_events WHERE case_id = $1 AND sequence = $2")
                    .bind(head.case_id)
                    .bind(head.sequence)
                    .fetch_optional(&mut tx)
                    .await?;
            if exists.is_some() {
                continue;
            }
            let case_left: Option<(i64,)> =
                query_as("SELECT id FROM cases WHERE id = $1").bind(head.case_id).fetch_optional(&mut tx).await?;
            report.find(match case_left {
                None => format!(
                    "dossier {} supprimé : présent dans l'ancre {} (événement n° {}), absent de la base",
                    head.case_id, head.anchor, head.sequence
                ),
                Some(_) => format!(
                    "dossier {} : l'événement n° {}, présent dans l'ancre {}, a été supprimé",
                    head.case_id, head.sequence, head.anchor
                ),
            });
        }
    }

    let mut unsealed_postings = UnsealedDigest::default();
    let mut ledger = Sha256::new();
    let mut ledger_postings = 0_i64;
    let mut pending_checkpoints: Vec<i64> = checkpoints.to_vec();
    pending_checkpoints.sort_unstable();
    let mut at: HashMap<i64, LedgerCheckpoint> = HashMap::new();
    let mut group: Vec<SealedPostingRow> = Vec::new();
    let mut after_posting = (0_i64, 0_i64);
    loop {
        let rows: Vec<SealedPostingRow> = query_as(
            "SELECT p.id, p.transaction_id, t.kind, t.booked_on, t.reference, t.actor, p.case_id, p.account, \
             p.amount_cents, p.mac_key, p.mac FROM ledger_postings p \
             JOIN ledger_transactions t ON t.id = p.transaction_id \
             WHERE (p.transaction_id > $1) OR (p.transaction_id = $1 AND p.id > $2) \
             ORDER BY p.transaction_id, p.id LIMIT $3",
        )
        .bind(after_posting.0)
        .bind(after_posting.1)
        .bind(PAGE_ROWS)
        .fetch_all(&mut tx)
        .await?;
        let page_len = rows.len() as i64;
        for row in rows {
            after_posting = (row.transaction_id, row.id);
            if group.first().is_some_and(|first| first.transaction_id != row.transaction_id) {
                let transaction_id = group.first().map_or(0, |first| first.transaction_id);
                take_checkpoints(&mut pending_checkpoints, transaction_id, ledger_postings, &ledger, &mut at);
                check_transaction(&group, keys, &mut report, &mut unsealed_postings, &mut ledger, &mut ledger_postings);
                group.clear();
            }
            group.push(row);
        }
        if page_len < PAGE_ROWS {
            break;
        }
    }
    if let Some(first) = group.first() {
        let transaction_id = first.transaction_id;
        take_checkpoints(&mut pending_checkpoints, transaction_id, ledger_postings, &ledger, &mut at);
        check_transaction(&group, keys, &mut report, &mut unsealed_postings, &mut ledger, &mut ledger_postings);
    }
    take_checkpoints(&mut pending_checkpoints, i64::MAX, ledger_postings, &ledger, &mut at);
    report.ledger_at = checkpoints.iter().filter_map(|id| at.get(id).cloned()).collect();

    // The cut-over seals: the unsealed rows must be exactly those sealed then.
    let seals: Vec<(String, i64, String, String, String)> =
        query_as("SELECT chain, sealed_rows, digest, mac_key, mac FROM audit_seals").fetch_all(&mut tx).await?;
    tx.commit().await?;
    let Some(keys) = keys else { return Ok(report) };
    for (chain, unsealed) in CHAINS.into_iter().zip([unsealed_events, unsealed_postings]) {
        let (rows, digest) = unsealed.finish();
        let what = if chain == "journal" { "événement(s) du journal" } else { "écriture(s) comptable(s)" };
        match seals.iter().find(|seal| seal.0 == chain) {
            None if rows > 0 => report.find(format!(
                "{rows} {what} sans sceau HMAC et aucune bascule enregistrée (lancer recouvre migrate avec la clé d'audit)"
            )),
            None => {}
            Some((_, sealed_rows, sealed_digest, key_id, mac)) => {
                if keys.check(key_id, CUT_OVER_DOMAIN, &cut_over_message(chain, *sealed_rows, sealed_digest), mac)
                    != SealCheck::Valid
                {
                    report.find(format!("bascule du {chain} : sceau HMAC invalide (table audit_seals modifiée)"));
                } else if rows != *sealed_rows || digest != *sealed_digest {
                    report.find(format!(
                        "{rows} {what} sans sceau HMAC au lieu des {sealed_rows} scellés à la bascule \
                         (ligne ancienne modifiée, supprimée ou sceau retiré, ou écriture sans la clé d'audit)"
                    ));
                }
            }
        }
    }
    Ok(report)
}

/// Records the ledger's state for every checkpoint below `next_transaction`.
fn take_checkpoints(
    pending: &mut Vec<i64>,
    next_transaction: i64,
    postings: i64,
    ledger: &Sha256,
    at: &mut HashMap<i64, LedgerCheckpoint>,
) {
    while pending.first().is_some_and(|id| *id < next_transaction) {
        let id = pending.remove(0);
        at.insert(
            id,
            LedgerCheckpoint { last_transaction: id, postings, digest: hex::encode(ledger.clone().finalize()) },
        );
    }
}

fn check_transaction(
    group: &[SealedPostingRow],
    keys: Option<&AuditKeys>,
    report: &mut SealReport,
    unsealed: &mut UnsealedDigest,
    ledger: &mut Sha256,
    ledger_postings: &mut i64,
) {
    let mut broken = false;
    for (index, row) in group.iter().enumerate() {
        report.postings_checked += 1;
        *ledger_postings += 1;
        let digest = row.digest(index, group.len());
        ledger.update(digest.as_bytes());
        match (keys, &row.mac_key, &row.mac) {
            (None, _, _) => {}
            (Some(keys), Some(key_id), Some(mac)) => {
                if keys.check(key_id, LEDGER_DOMAIN, &digest, mac) != SealCheck::Valid {
                    broken = true;
                }
            }
            _ => unsealed.add(&digest),
        }
    }
    if broken {
        let transaction_id = group.first().map_or(0, |row| row.transaction_id);
        report.find(format!(
            "opération comptable n° {transaction_id} : sceau HMAC invalide (écriture modifiée, ajoutée ou supprimée dans la base)"
        ));
    }
}

fn cut_over_message(chain: &str, rows: i64, digest: &str) -> String {
    format!("{chain}:{rows}:{digest}")
}

/// What the cut-over sealed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SealCutOver {
    /// Per chain newly sealed: (chain, rows sealed as they were).
    pub sealed: Vec<(String, i64)>,
}

/// The cut-over to keyed seals, run once by the operator (`recouvre audit cut-over`): the rows
/// written so far without a seal are sealed as they are, per chain, by one HMAC over their
/// digest in `audit_seals` (their SHA-256 links stay as they were). Refused once a cut-over was
/// made: sealing again would launder what was changed since (a DBA who deleted the seals to
/// have rows re-sealed is also caught by the anchors, which carry the seals).
pub async fn cut_over(store: &Store, keys: &AuditKeys, now: DateTime<Utc>) -> Result<SealCutOver> {
    let existing: Vec<(String,)> = query_as("SELECT chain FROM audit_seals").fetch_all(store).await?;
    if !existing.is_empty() {
        return Err(crate::StoreError::Conflict {
            code: "already_cut_over",
            message: "la bascule vers les sceaux HMAC est déjà faite : elle ne se refait pas (recouvre audit verify \
                      dit ce qui a changé depuis)"
                .to_string(),
        });
    }
    let digests = unsealed_digests(store).await?;
    write_seals(store, keys, now, digests).await
}

/// A new database (no journal event, no posting) is cut over at its first migration with a
/// key: there is nothing to launder. Does nothing otherwise.
pub(crate) async fn cut_over_if_empty(store: &Store, keys: &AuditKeys, now: DateTime<Utc>) -> Result<SealCutOver> {
    let rows: (i64, i64, i64) = query_as(
        "SELECT (SELECT COUNT(*) FROM audit_seals), (SELECT COUNT(*) FROM case_events), \
         (SELECT COUNT(*) FROM ledger_postings)",
    )
    .fetch_one(store)
    .await?;
    if rows != (0, 0, 0) {
        return Ok(SealCutOver::default());
    }
    let empty = || (0_i64, hex::encode(Sha256::new().finalize()));
    write_seals(store, keys, now, [empty(), empty()]).await
}

async fn write_seals(
    store: &Store,
    keys: &AuditKeys,
    now: DateTime<Utc>,
    digests: [(i64, String); 2],
) -> Result<SealCutOver> {
    let mut outcome = SealCutOver::default();
    let mut tx = store.begin().await?;
    for (chain, (rows, digest)) in CHAINS.into_iter().zip(digests) {
        let (key_id, mac) = keys.seal(CUT_OVER_DOMAIN, &cut_over_message(chain, rows, &digest));
        query(
            "INSERT INTO audit_seals (chain, sealed_rows, digest, mac_key, mac, sealed_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (chain) DO NOTHING",
        )
        .bind(chain)
        .bind(rows)
        .bind(&digest)
        .bind(&key_id)
        .bind(&mac)
        .bind(now)
        .execute(&mut tx)
        .await?;
        outcome.sealed.push((chain.to_string(), rows));
    }
    tx.commit().await?;
    Ok(outcome)
}

/// The cut-over seals (chain, rows, digest), for the anchors.
pub async fn cut_over_seals(store: &Store) -> Result<Vec<(String, i64, String)>> {
    query_as("SELECT chain, sealed_rows, digest FROM audit_seals ORDER BY chain").fetch_all(store).await
}

/// The digests of the rows without a seal, journal then ledger, as verify computes them.
async fn unsealed_digests(store: &Store) -> Result<[(i64, String); 2]> {
    let mut tx = store.begin_read().await?;
    let mut events = UnsealedDigest::default();
    let (mut after_case, mut after_sequence) = (0_i64, 0_i64);
    loop {
        let rows: Vec<(i64, i64, String)> = query_as(
            "SELECT case_id, sequence, hash FROM case_events WHERE mac IS NULL \
             AND ((case_id > $1) OR (case_id = $1 AND sequence > $2)) ORDER BY case_id, sequence LIMIT $3",
        )
        .bind(after_case)
        .bind(after_sequence)
        .bind(PAGE_ROWS)
        .fetch_all(&mut tx)
        .await?;
        let page_len = rows.len() as i64;
        for (case_id, sequence, hash) in rows {
            (after_case, after_sequence) = (case_id, sequence);
            events.add(&event_link(case_id, sequence, &hash));
        }
        if page_len < PAGE_ROWS {
            break;
        }
    }
    // Postings are sealed per transaction (their index and count): read every transaction that
    // has an unsealed posting, whole.
    let mut postings = UnsealedDigest::default();
    let mut after_transaction = 0_i64;
    loop {
        let rows: Vec<SealedPostingRow> = query_as(
            "SELECT p.id, p.transaction_id, t.kind, t.booked_on, t.reference, t.actor, p.case_id, p.account, \
             p.amount_cents, p.mac_key, p.mac FROM ledger_postings p \
             JOIN ledger_transactions t ON t.id = p.transaction_id \
             WHERE p.transaction_id IN (SELECT DISTINCT transaction_id FROM ledger_postings \
             WHERE mac IS NULL AND transaction_id > $1 ORDER BY transaction_id LIMIT $2) \
             ORDER BY p.transaction_id, p.id",
        )
        .bind(after_transaction)
        .bind(PAGE_ROWS)
        .fetch_all(&mut tx)
        .await?;
        let Some(last) = rows.last() else { break };
        after_transaction = last.transaction_id;
        let mut start = 0;
        while start < rows.len() {
            let transaction_id = rows[start].transaction_id;
            let end = rows[start..]
                .iter()
                .position(|row| row.transaction_id != transaction_id)
                .map_or(rows.len(), |n| start + n);
            let group = &rows[start..end];
            for (index, row) in group.iter().enumerate() {
                if row.mac.is_some() {
                    continue;
                }
                postings.add(&row.digest(index, group.len()));
            }
            start = end;
        }
    }
    tx.commit().await?;
    Ok([events.finish(), postings.finish()])
}

/// Each case's last event (case, sequence, hash), in case order: what an anchor records.
pub async fn journal_heads(store: &Store) -> Result<(Vec<(i64, i64, String)>, Option<LedgerCheckpoint>)> {
    let mut tx = store.begin_read().await?;
    let heads: Vec<(i64, i64, String)> = query_as(
        "SELECT e.case_id, e.sequence, e.hash FROM case_events e \
         JOIN (SELECT case_id, MAX(sequence) AS last_sequence FROM case_events GROUP BY case_id) m \
         ON m.case_id = e.case_id AND m.last_sequence = e.sequence ORDER BY e.case_id",
    )
    .fetch_all(&mut tx)
    .await?;
    let last: Option<(Option<i64>,)> =
        query_as("SELECT MAX(id) FROM ledger_transactions").fetch_optional(&mut tx).await?;
    tx.commit().await?;
    let checkpoint = match last.and_then(|(id,)| id) {
        Some(id) => ledger_at(store, id).await?,
        None => None,
    };
    Ok((heads, checkpoint))
}

/// The ledger up to transaction `last_transaction` (its postings' count and digest).
async fn ledger_at(store: &Store, last_transaction: i64) -> Result<Option<LedgerCheckpoint>> {
    let mut tx = store.begin_read().await?;
    let mut ledger = Sha256::new();
    let mut count = 0_i64;
    let mut after = (0_i64, 0_i64);
    let mut group: Vec<SealedPostingRow> = Vec::new();
    let flush = |group: &mut Vec<SealedPostingRow>, ledger: &mut Sha256, count: &mut i64| {
        for (index, row) in group.iter().enumerate() {
            *count += 1;
            ledger.update(row.digest(index, group.len()).as_bytes());
        }
        group.clear();
    };
    loop {
        let rows: Vec<SealedPostingRow> = query_as(
            "SELECT p.id, p.transaction_id, t.kind, t.booked_on, t.reference, t.actor, p.case_id, p.account, \
             p.amount_cents, p.mac_key, p.mac FROM ledger_postings p \
             JOIN ledger_transactions t ON t.id = p.transaction_id \
             WHERE p.transaction_id <= $4 AND ((p.transaction_id > $1) OR (p.transaction_id = $1 AND p.id > $2)) \
             ORDER BY p.transaction_id, p.id LIMIT $3",
        )
        .bind(after.0)
        .bind(after.1)
        .bind(PAGE_ROWS)
        .bind(last_transaction)
        .fetch_all(&mut tx)
        .await?;
        let page_len = rows.len() as i64;
        for row in rows {
            after = (row.transaction_id, row.id);
            if group.first().is_some_and(|first| first.transaction_id != row.transaction_id) {
                flush(&mut group, &mut ledger, &mut count);
            }
            group.push(row);
        }
        if page_len < PAGE_ROWS {
            break;
        }
    }
    flush(&mut group, &mut ledger, &mut count);
    tx.commit().await?;
    Ok(Some(LedgerCheckpoint { last_transaction, postings: count, digest: hex::encode(ledger.finalize()) }))
}

/// The tables the application appends to but never rewrites (docs/security.md).
pub const APPEND_ONLY_TABLES: [&str; 5] =
    ["case_events", "ledger_postings", "ledger_transactions", "access_log", "approval_requests"];

/// PostgreSQL: gives the application's login `role` what the application needs and no more —
/// every table read and written, but no UPDATE nor DELETE on the append-only tables beyond the
/// columns the application sets once (an erasure's `personal` and `personal_salt`, the
/// committee's `reported_on`, an approval's decision), which the triggers of migration 0035
/// police. Run by the database's owner after each migration (`recouvre migrate --app-role`);
/// the role itself is created by the DBA. Does nothing on SQLite (one file, no roles), where the
/// triggers alone enforce it. Returns whether grants were made.
pub async fn grant_application_role(store: &Store, role: &str) -> Result<bool> {
    if store.engine() != crate::Engine::Postgres {
        return Ok(false);
    }
    let valid = role.chars().next().is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && role.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(crate::StoreError::Invalid {
            field: Some("app_role".to_string()),
            message: format!("rôle « {role} » : lettres minuscules, chiffres et _ seulement"),
        });
    }
    let append_only = APPEND_ONLY_TABLES.join(", ");
    let statements = [
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        format!("REVOKE UPDATE, DELETE, TRUNCATE ON {append_only} FROM {role}"),
        format!("GRANT UPDATE (personal, personal_salt) ON case_events TO {role}"),
        format!("GRANT UPDATE (reported_on) ON ledger_transactions TO {role}"),
        format!("GRANT UPDATE (status, decided_by, decided_at, decision_reason) ON approval_requests TO {role}"),
        // The seals of the cut-over are written once and never changed.
        format!("REVOKE UPDATE, DELETE, TRUNCATE ON audit_seals FROM {role}"),
    ];
    let mut tx = store.begin().await?;
    for statement in &statements {
        query(statement.as_str()).execute(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Drops the append-only triggers of migration 0035, as the database's owner can: what a
/// database administrator who wants to rewrite history does first. For tests that play one
/// (the keyed seals and the anchors must still show the rewrite) and for the documented repair
/// procedure; the application never calls it. Needs the owner's rights on PostgreSQL.
pub async fn drop_append_only_guards(store: &Store) -> Result<()> {
    let mut tx = store.begin().await?;
    for table in APPEND_ONLY_TABLES {
        let statements = match store.engine() {
            crate::Engine::Sqlite => vec![
                format!("DROP TRIGGER IF EXISTS {table}_append_only_update"),
                format!("DROP TRIGGER IF EXISTS {table}_append_only_delete"),
            ],
            crate::Engine::Postgres => vec![format!("DROP TRIGGER IF EXISTS {table}_append_only ON {table}")],
        };
        for statement in &statements {
            query(statement.as_str()).execute(&mut tx).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
