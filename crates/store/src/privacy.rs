//! Personal data kept only as the law allows (issue 24, parts 3 and 4; docs/privacy.md): the
//! purge that anonymises a closed case whose retention ended (GDPR art. 5(1)(e)), and the
//! gathering of everything held on a person for their access request (art. 15).
//!
//! The purge keeps amounts, dates and the ledger; it erases names, addresses, contacts, free
//! text, attachments and letters, and the journal's personal parts the only way the journal
//! allows (`personal` and `personal_salt` set to NULL, every other column unchanged: the chain
//! covers the salted digest, so `recouvre audit verify` still passes). Each case is erased in ONE
//! transaction whose first write claims it in `privacy_erasures`: a crash leaves each case either
//! done or untouched, and a rerun completes the rest.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::db::{query, query_as, query_scalar};
use crate::{Result, Store, StoreError, Tx};

/// A closed case not yet erased, closed before the date asked.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ClosedCase {
    pub case_id: i64,
    pub closed_on: NaiveDate,
}

/// The closed cases, not yet erased, closed before `closed_before`, in id order.
pub async fn closed_cases(store: &Store, closed_before: NaiveDate) -> Result<Vec<ClosedCase>> {
    let rows = query_as(
        "SELECT c.id AS case_id, c.closed_on FROM cases c \
         WHERE c.status = 'closed' AND c.closed_on IS NOT NULL AND c.closed_on < $1 \
         AND NOT EXISTS (SELECT 1 FROM privacy_erasures e WHERE e.case_id = c.id) ORDER BY c.id",
    )
    .bind(closed_before)
    .fetch_all(store)
    .await?;
    Ok(rows)
}

/// The last day an action from the case can be brought or enforced, as the time-bar engine
/// knows it on `as_of`: the latest of its limitation and foreclosure dates. `None` when the
/// engine gives no date (a court claim pending, a suspension open) or the case has no claim.
pub async fn last_action_on(store: &Store, case_id: i64, as_of: NaiveDate) -> Result<Option<NaiveDate>> {
    let mut tx = store.begin_read().await?;
    // The same derivation as the case page and the nightly run (the schedules and plans too).
    let state = tx.case_time_bars_on(case_id, as_of, None).await?;
    tx.commit().await?;
    let Some(bars) = state.map(|state| state.bars) else {
        return Ok(None);
    };
    Ok(match (bars.limitation_date, bars.foreclosure_date) {
        (None, _) => None,
        (Some(limitation), foreclosure) => {
            Some(foreclosure.map_or(limitation, |foreclosure| limitation.max(foreclosure)))
        }
    })
}

/// The erasure of one case, as the app decided it from the retention policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erasure<'a> {
    pub case_id: i64,
    pub rule: &'a str,
    pub policy_version: &'a str,
    pub due_on: NaiveDate,
    pub as_of: NaiveDate,
}

/// Rows anonymised, by kind of data (`events`, `notes`, `persons`, …).
pub type Erased = BTreeMap<String, u64>;

/// Anonymises one closed case and the people of it who have no other case still kept, in one
/// transaction, and records it in `privacy_erasures`. `None` when the case was erased already
/// (by an earlier or a concurrent run) or is no longer closed (reopened meanwhile).
pub async fn erase_case(store: &Store, erasure: &Erasure<'_>, by: &str, now: DateTime<Utc>) -> Result<Option<Erased>> {
    let mut tx = store.begin().await?;
    // The claim first: a concurrent purge of the same case waits here, then finds it taken.
    let claimed: Option<i64> = query_scalar(
        "INSERT INTO privacy_erasures (case_id, rule, policy_version, due_on, as_of, erased, erased_by, erased_at) \
         VALUES ($1, $2, $3, $4, $5, '{}', $6, $7) ON CONFLICT (case_id) DO NOTHING RETURNING id",
    )
    .bind(erasure.case_id)
    .bind(erasure.rule)
    .bind(erasure.policy_version)
    .bind(erasure.due_on)
    .bind(erasure.as_of)
    .bind(by)
    .bind(now)
    .fetch_optional(&mut tx)
    .await?;
    let status: Option<String> =
        query_scalar("SELECT status FROM cases WHERE id = $1").bind(erasure.case_id).fetch_optional(&mut tx).await?;
    let Some(claim_id) = claimed.filter(|_| status.as_deref() == Some("closed")) else {
        tx.rollback().await?;
        return Ok(None);
    };
    let erased = tx.erase_case_rows(erasure.case_id).await?;
    query("UPDATE privacy_erasures SET erased = $2 WHERE id = $1")
        .bind(claim_id)
        .bind(crate::json_text(&erased))
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(Some(erased))
}

/// The statements that anonymise a case's own rows: (kind, SQL with `$1` the case id).
const CASE_ERASURES: [(&str, &str); 10] = [
    // The journal: the ONLY update the append-only journal allows (issue 24, part 1).
    (
        "events",
        "UPDATE case_events SET personal = NULL, personal_salt = NULL \
         WHERE case_id = $1 AND (personal IS NOT NULL OR personal_salt IS NOT NULL)",
    ),
    ("notes", "UPDATE case_notes SET body = '' WHERE case_id = $1 AND body <> ''"),
    ("contacts", "UPDATE case_contacts SET summary = '' WHERE case_id = $1 AND summary <> ''"),
    ("guarantees", "UPDATE guarantees SET description = '' WHERE case_id = $1 AND description <> ''"),
    (
        "mandates",
        "UPDATE sepa_mandates SET debtor_name = '', debtor_iban = '', debtor_bic = NULL \
         WHERE case_id = $1 AND debtor_name <> ''",
    ),
    (
        "payments",
        "UPDATE payments_received SET payer_name = NULL, payer_iban = NULL \
         WHERE case_id = $1 AND (payer_name IS NOT NULL OR payer_iban IS NOT NULL)",
    ),
    (
        "suspense",
        "UPDATE suspense_items SET payer_name = NULL, payer_iban = NULL \
         WHERE case_id = $1 AND (payer_name IS NOT NULL OR payer_iban IS NOT NULL)",
    ),
    // Overpayment refunds: the payee's name and account, the officer's free text (issue 21).
    (
        "refunds",
        "UPDATE overpayment_refunds SET payee_name = '', payee_iban = '', payee_bic = NULL, reason = '' \
         WHERE case_id = $1 AND payee_name <> ''",
    ),
    ("search_key", "UPDATE cases SET search_key = '' WHERE id = $1 AND search_key <> ''"),
    (
        "attachments_named",
        "UPDATE case_attachments SET file_name = 'piece-' || CAST(id AS TEXT) WHERE case_id = $1 \
         AND file_name <> 'piece-' || CAST(id AS TEXT)",
    ),
];

/// The statements that anonymise a person (`$1` the person's id).
const PERSON_ERASURES: [(&str, &str); 4] = [
    (
        "persons",
        "UPDATE persons SET last_name = 'Anonymisé', first_name = '', search_key = '', civility = NULL, \
         birth_date = NULL, address_line = '', postcode = '', city = '', commune_code = NULL, address_since = NULL, \
         address_invalid_on = NULL, phone = NULL, email = NULL, phones = '[]', emails = '[]', iban = NULL, \
         employer = NULL, monthly_income_cents = 0, monthly_charges_cents = 0, deceased_on = NULL, \
         protection = 'none', guardian_name = NULL, guardian_address = NULL, over_indebtedness = 'none', \
         estate_notary_name = NULL, estate_notary_address = NULL, estate_heirs = NULL, estate_option = NULL \
         WHERE id = $1",
    ),
    (
        "addresses",
        "UPDATE person_addresses SET address_line = '', postcode = '', city = '', commune_code = NULL, reason = '' \
         WHERE person_id = $1",
    ),
    ("situations", "UPDATE person_situations SET details = '{}', reason = NULL WHERE person_id = $1"),
    ("intake_differences", "UPDATE intake_differences SET kept_value = NULL, intake_value = NULL WHERE person_id = $1"),
];

impl Tx {
    async fn erase_case_rows(&mut self, case_id: i64) -> Result<Erased> {
        let mut erased = Erased::new();
        let mut count = |kind: &str, rows: u64| {
            if rows > 0 {
                *erased.entry(kind.to_string()).or_insert(0) += rows;
            }
        };
        for (kind, sql) in CASE_ERASURES {
            let rows = query(sql).bind(case_id).execute(&mut *self).await?.rows_affected();
            count(kind, rows);
        }
        // Scans and letters: the content goes, the size and SHA-256 of what was there stay.
        let rows = query("UPDATE case_attachments SET content = $2 WHERE case_id = $1")
            .bind(case_id)
            .bind(Vec::<u8>::new())
            .execute(&mut *self)
            .await?
            .rows_affected();
        count("attachments", rows);
        let rows = query("UPDATE documents SET recipient = '', data = '{}', pdf = $2 WHERE case_id = $1")
            .bind(case_id)
            .bind(Vec::<u8>::new())
            .execute(&mut *self)
            .await?
            .rows_affected();
        count("letters", rows);
        // The people of the case (debtor, co-debtors, guarantors) whose every other case was
        // erased already: a person still party to a kept case keeps their identity.
        let people: Vec<i64> = query_scalar(
            "SELECT p.id FROM persons p WHERE p.id IN \
             (SELECT debtor_id FROM cases WHERE id = $1 UNION SELECT person_id FROM case_parties WHERE case_id = $1) \
             AND NOT EXISTS (SELECT 1 FROM cases o WHERE o.id <> $1 \
               AND (o.debtor_id = p.id OR o.id IN (SELECT case_id FROM case_parties WHERE person_id = p.id)) \
               AND NOT EXISTS (SELECT 1 FROM privacy_erasures e WHERE e.case_id = o.id)) \
             ORDER BY p.id",
        )
        .bind(case_id)
        .fetch_all(&mut *self)
        .await?;
        for person_id in people {
            for (kind, sql) in PERSON_ERASURES {
                let rows = query(sql).bind(person_id).execute(&mut *self).await?.rows_affected();
                count(kind, rows);
            }
            query("UPDATE persons SET ficp_registered = $2 WHERE id = $1")
                .bind(person_id)
                .bind(false)
                .execute(&mut *self)
                .await?;
        }
        Ok(erased)
    }
}

/// One row of the register of erasures.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct ErasureRecord {
    pub case_id: i64,
    pub rule: String,
    pub policy_version: String,
    pub due_on: NaiveDate,
    pub as_of: NaiveDate,
    /// JSON object: kind of data → rows anonymised.
    pub erased: String,
    pub erased_by: String,
    pub erased_at: DateTime<Utc>,
}

/// The register of erasures, oldest first.
pub async fn erasures(store: &Store) -> Result<Vec<ErasureRecord>> {
    let rows = query_as(
        "SELECT case_id, rule, policy_version, due_on, as_of, erased, erased_by, erased_at FROM privacy_erasures ORDER BY id",
    )
    .fetch_all(store)
    .await?;
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// The debtor's access request (GDPR art. 15)

/// A person's identity and situation as the file holds them.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct PersonRecord {
    #[serde(skip)]
    pub id: i64,
    pub customer_number: String,
    pub civility: Option<String>,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: Option<NaiveDate>,
    pub address_line: String,
    pub postcode: String,
    pub city: String,
    pub phones: String,
    pub emails: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub iban: Option<String>,
    pub family_situation: String,
    pub dependants: i64,
    pub employment: String,
    pub employer: Option<String>,
    pub monthly_income_cents: i64,
    pub monthly_charges_cents: i64,
    pub deceased_on: Option<NaiveDate>,
    pub protection: String,
    pub guardian_name: Option<String>,
    pub guardian_address: Option<String>,
    pub over_indebtedness: String,
}

/// A former address.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct AddressRecord {
    pub address_line: String,
    pub postcode: String,
    pub city: String,
    pub valid_from: Option<NaiveDate>,
    pub replaced_on: NaiveDate,
}

/// A situation recorded (death, protection, over-indebtedness…), its details as JSON text.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct SituationRecord {
    pub kind: String,
    pub on_date: NaiveDate,
    pub details: String,
}

/// A case the person is party to, with what it holds on them.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CaseRecord {
    #[serde(skip)]
    pub id: i64,
    pub reference: String,
    /// `debtor`, or the person's role in someone else's case (`co_debtor`, `guarantor`).
    pub role: String,
    pub status: String,
    pub main_nature: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub total_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct ClaimRecord {
    pub contract_ref: String,
    pub nature: String,
    pub principal_cents: i64,
    pub contractual_interest_cents: i64,
    pub statutory_interest_cents: i64,
    pub costs_cents: i64,
    pub penalties_cents: i64,
    pub due_on: NaiveDate,
}

/// A ledger transaction of the case: its kind, date, and movement on the debt (negative: paid).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct MovementRecord {
    pub kind: String,
    pub booked_on: NaiveDate,
    pub debt_change_cents: i64,
}

/// A dated free text (a note, a contact's summary) or a dated item (an attachment, a letter).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct DatedText {
    pub on_date: NaiveDate,
    pub kind: String,
    pub text: String,
}

/// A note on the case.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct NoteRecord {
    pub created_at: DateTime<Utc>,
    pub body: String,
}

/// A journal event, without its personal part (what it says of the person is in the rest of
/// the file; what it says of others is not theirs to read).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct EventRecord {
    pub sequence: i64,
    pub kind: String,
    pub recorded_at: DateTime<Utc>,
}

/// What a case the person is the debtor of holds besides amounts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CaseContents {
    pub notes: Vec<NoteRecord>,
    pub contacts: Vec<DatedText>,
    pub attachments: Vec<DatedText>,
    pub letters: Vec<DatedText>,
    pub events: Vec<EventRecord>,
}

/// A consultation of the person's files, with the consulting user's role (`None`: the system).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct ConsultationRecord {
    pub at: DateTime<Utc>,
    pub user_login: String,
    pub role: Option<String>,
    pub path: String,
    pub case_id: Option<i64>,
    /// Why it was read (`access_log.purpose`).
    pub purpose: String,
}

/// The person whose customer number is given (`None` if unknown).
pub async fn person_by_customer(store: &Store, customer_number: &str) -> Result<Option<PersonRecord>> {
    let row = query_as(
        "SELECT id, customer_number, civility, last_name, first_name, birth_date, address_line, postcode, city, \
         phones, emails, phone, email, iban, family_situation, CAST(dependants AS BIGINT) AS dependants, employment, \
         employer, monthly_income_cents, monthly_charges_cents, deceased_on, protection, guardian_name, \
         guardian_address, over_indebtedness FROM persons WHERE customer_number = $1",
    )
    .bind(customer_number)
    .fetch_optional(store)
    .await?;
    Ok(row)
}

/// The person's former addresses and recorded situations.
pub async fn person_history(store: &Store, person_id: i64) -> Result<(Vec<AddressRecord>, Vec<SituationRecord>)> {
    let addresses = query_as(
        "SELECT address_line, postcode, city, valid_from, replaced_on FROM person_addresses WHERE person_id = $1 ORDER BY id",
    )
    .bind(person_id)
    .fetch_all(store)
    .await?;
    let situations = query_as("SELECT kind, on_date, details FROM person_situations WHERE person_id = $1 ORDER BY id")
        .bind(person_id)
        .fetch_all(store)
        .await?;
    Ok((addresses, situations))
}

/// The cases the person is party to: as the debtor, or with a role in another's case.
pub async fn cases_of(store: &Store, person_id: i64) -> Result<Vec<CaseRecord>> {
    let rows = query_as(
        "SELECT id, reference, 'debtor' AS role, status, main_nature, opened_on, closed_on, total_cents FROM cases \
         WHERE debtor_id = $1 \
         UNION ALL SELECT c.id, c.reference, p.role, c.status, c.main_nature, c.opened_on, c.closed_on, c.total_cents \
         FROM case_parties p JOIN cases c ON c.id = p.case_id WHERE p.person_id = $1 AND c.debtor_id <> $1 \
         ORDER BY 1",
    )
    .bind(person_id)
    .fetch_all(store)
    .await?;
    Ok(rows)
}

/// A case's claims and its ledger movements on the debt.
pub async fn case_amounts(store: &Store, case_id: i64) -> Result<(Vec<ClaimRecord>, Vec<MovementRecord>)> {
    let claims = query_as(
        "SELECT contract_ref, nature, principal_cents, contractual_interest_cents, statutory_interest_cents, \
         costs_cents, penalties_cents, due_on FROM claims WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(store)
    .await?;
    let movements = query_as(format!(
        "SELECT t.kind, t.booked_on, CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) AS debt_change_cents \
         FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id \
         WHERE t.case_id = $1 AND p.account IN {} GROUP BY t.id, t.kind, t.booked_on ORDER BY t.booked_on, t.id",
        crate::ledger::RECEIVABLE_ACCOUNTS
    ))
    .bind(case_id)
    .fetch_all(store)
    .await?;
    Ok((claims, movements))
}

/// What a case holds besides amounts: notes, contacts, attachments' names, letters, events.
pub async fn case_contents(store: &Store, case_id: i64) -> Result<CaseContents> {
    let dated = |sql: &'static str| async move {
        let rows: Vec<DatedText> = query_as(sql).bind(case_id).fetch_all(store).await?;
        Ok::<_, StoreError>(rows)
    };
    Ok(CaseContents {
        notes: query_as("SELECT created_at, body FROM case_notes WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(store)
            .await?,
        contacts: dated(
            "SELECT contact_on AS on_date, channel AS kind, summary AS text FROM case_contacts WHERE case_id = $1 ORDER BY id",
        )
        .await?,
        attachments: dated(
            "SELECT received_on AS on_date, kind, file_name AS text FROM case_attachments WHERE case_id = $1 ORDER BY id",
        )
        .await?,
        letters: dated(
            "SELECT validated_on AS on_date, kind, recipient AS text FROM documents WHERE case_id = $1 ORDER BY id",
        )
        .await?,
        events: query_as("SELECT sequence, kind, recorded_at FROM case_events WHERE case_id = $1 ORDER BY sequence")
            .bind(case_id)
            .fetch_all(store)
            .await?,
    })
}

/// The names of the other people of the person's cases (co-debtors, guarantors, the debtor of a
/// case where the person is a guarantor): to be kept out of what the person is given.
pub async fn other_people_names(store: &Store, person_id: i64) -> Result<Vec<(String, String)>> {
    let rows = query_as(
        "SELECT last_name, first_name FROM persons WHERE id <> $1 AND id IN ( \
         SELECT person_id FROM case_parties WHERE case_id IN (SELECT id FROM cases WHERE debtor_id = $1 \
           UNION SELECT case_id FROM case_parties WHERE person_id = $1) \
         UNION SELECT debtor_id FROM cases WHERE id IN (SELECT case_id FROM case_parties WHERE person_id = $1))",
    )
    .bind(person_id)
    .fetch_all(store)
    .await?;
    Ok(rows)
}

/// Every consultation of the person's files (directly, or through a case they are party to),
/// with the role of who consulted, oldest first. Compliance's reads are left out: vigilance
/// data, never disclosed to the person (CMF L561-45).
pub async fn consultations_of(store: &Store, person_id: i64) -> Result<Vec<ConsultationRecord>> {
    let rows = query_as(format!(
        "SELECT a.at, a.user_login, u.role, a.path, a.case_id, a.purpose FROM access_log a \
         LEFT JOIN users u ON u.login = a.user_login \
         WHERE (a.person_id = $1 OR a.case_id IN (SELECT case_id FROM case_parties WHERE person_id = $1) \
                OR a.case_id IN (SELECT id FROM cases WHERE debtor_id = $1)) \
         AND {} ORDER BY a.at, a.id",
        crate::aml::not_compliance("a.user_login")
    ))
    .bind(person_id)
    .fetch_all(store)
    .await?;
    Ok(rows)
}
