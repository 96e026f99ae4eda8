//! A person's file, maintained (issue 17): read it with its address history, situations and the
//! differences intake listed; correct it; record a situation. A person has their own `version`
//! (a write quotes the version read; a stale one is refused). Each change is journaled on every
//! open case of the person, in the same transaction, and a situation updates the columns the
//! letters, the procedure context and the strategy read (`deceased_on`, `protection`,
//! `guardian_*`, `over_indebtedness`, `ficp_registered`): the situations table is the history.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::case::{Employment, FamilySituation, OverIndebtedness, PartyRole, Person, Protection};
use recouvre_domain::debtor_file::{Civility, EstateOption, OverIndebtednessStage, SituationKind};
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::cases::{PersonRow, PERSON_COLUMNS};
use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::ledger::Booking;
use crate::{Result, Store, StoreError, Tx};

/// What a person's file holds beyond the [`Person`] every case shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DebtorFile {
    pub person_id: i64,
    pub person: Person,
    /// Quote it when changing the file; a stale one is refused (409).
    pub version: i64,
    pub civility: Option<Civility>,
    /// Every phone number, the first being `person.phone`.
    pub phones: Vec<String>,
    /// Every e-mail address, the first being `person.email`.
    pub emails: Vec<String>,
    /// The INSEE code of the address's commune.
    pub commune_code: Option<String>,
    /// The day the current address was recorded by an officer (unknown for intake's).
    pub address_since: Option<NaiveDate>,
    /// NPAI: the day a letter came back from the address; no letter goes there.
    pub address_invalid_on: Option<NaiveDate>,
    pub estate: Estate,
    /// The fields an officer corrected: intake never overwrites them.
    pub corrected_fields: Vec<String>,
    /// The previous addresses, newest first.
    pub addresses: Vec<PastAddress>,
    /// The situations recorded, newest first.
    pub situations: Vec<SituationRecord>,
    /// What later imports brought that differs from the file, newest first.
    pub differences: Vec<IntakeDifference>,
    /// The person's cases, with their role on each.
    pub cases: Vec<PersonCase>,
}

/// The estate of a deceased person (C. civ. 720 and following).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Estate {
    pub notary_name: Option<String>,
    pub notary_address: Option<String>,
    pub heirs: Option<String>,
    pub option: Option<EstateOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PastAddress {
    pub address_line: String,
    pub postcode: String,
    pub city: String,
    pub commune_code: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub replaced_on: NaiveDate,
    pub invalid_on: Option<NaiveDate>,
    pub changed_by: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SituationRecord {
    pub id: i64,
    pub kind: SituationKind,
    pub on: NaiveDate,
    /// The kind's own fields, as recorded.
    pub details: Value,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IntakeDifference {
    pub id: i64,
    pub field: String,
    /// The value the file keeps.
    pub kept_value: Option<String>,
    /// The value the import brought.
    pub intake_value: Option<String>,
    /// The field was corrected by an officer (else intake does not update known persons at all).
    pub officer_corrected: bool,
    pub seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonCase {
    pub id: i64,
    pub reference: String,
    pub status: String,
    pub role: PartyRole,
}

impl PersonCase {
    pub fn is_open(&self) -> bool {
        self.status != "closed"
    }
}

/// What an officer may correct on a file: the case's `debtor` object but the situation (which
/// has its own endpoint), with the contact details issue 17 added. Serialised with the API's
/// field names: the journal's changes and the correction's diff are made from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Editable {
    pub civility: Option<Civility>,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: Option<NaiveDate>,
    pub address_line: String,
    pub postcode: String,
    pub city: String,
    pub commune_code: Option<String>,
    pub address_invalid: bool,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub iban: Option<String>,
    pub family_situation: FamilySituation,
    pub dependants: u8,
    pub employment: Employment,
    pub employer: Option<String>,
    pub monthly_income: Money,
    pub monthly_charges: Money,
}

/// The fields that make the address: a change of any of them files the old address away.
pub const ADDRESS_FIELDS: [&str; 4] = ["address_line", "postcode", "city", "commune_code"];

impl DebtorFile {
    /// The file's editable fields as they stand.
    pub fn editable(&self) -> Editable {
        let person = &self.person;
        Editable {
            civility: self.civility,
            last_name: person.last_name.clone(),
            first_name: person.first_name.clone(),
            birth_date: person.birth_date,
            address_line: person.address_line.clone(),
            postcode: person.postcode.clone(),
            city: person.city.clone(),
            commune_code: self.commune_code.clone(),
            address_invalid: self.address_invalid_on.is_some(),
            phones: self.phones.clone(),
            emails: self.emails.clone(),
            iban: person.iban.clone(),
            family_situation: person.family_situation,
            dependants: person.dependants,
            employment: person.employment,
            employer: person.employer.clone(),
            monthly_income: person.monthly_income,
            monthly_charges: person.monthly_charges,
        }
    }

    /// The cases still open, where a change is journaled.
    pub fn open_cases(&self) -> impl Iterator<Item = &PersonCase> {
        self.cases.iter().filter(|case| case.is_open())
    }
}

/// One field changed: its name and its old and new values (JSON, as the API shows them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

fn as_map(editable: &Editable) -> Map<String, Value> {
    match serde_json::to_value(editable) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The fields that differ between `old` and `new`, in the order of [`Editable`].
pub fn changes(old: &Editable, new: &Editable) -> Vec<FieldChange> {
    let old = as_map(old);
    let new = as_map(new);
    new.into_iter()
        .filter_map(|(field, value)| {
            let before = old.get(&field).cloned().unwrap_or(Value::Null);
            (before != value).then_some(FieldChange { field, old: before, new: value })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct FileRow {
    version: i64,
    civility: Option<String>,
    phones: String,
    emails: String,
    commune_code: Option<String>,
    address_since: Option<NaiveDate>,
    address_invalid_on: Option<NaiveDate>,
    corrected_fields: String,
    estate_notary_name: Option<String>,
    estate_notary_address: Option<String>,
    estate_heirs: Option<String>,
    estate_option: Option<String>,
}

fn corrupt(what: &str, value: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} : « {value} »"))
}

fn text_list(text: &str, column: &str) -> Result<Vec<String>> {
    serde_json::from_str(text).map_err(|_| corrupt(column, text))
}

impl Tx {
    /// The person's id and version, by customer number.
    async fn person_id(&mut self, customer_number: &str) -> Result<i64> {
        let id: Option<i64> = query_scalar("SELECT id FROM persons WHERE customer_number = $1")
            .bind(customer_number)
            .fetch_optional(&mut *self)
            .await?;
        id.ok_or_else(|| StoreError::not_found(format!("la personne n° client {customer_number}")))
    }

    /// A person's whole file, by customer number.
    pub async fn debtor_file(&mut self, customer_number: &str) -> Result<DebtorFile> {
        let person_id = self.person_id(customer_number).await?;
        let sql = format!("SELECT {PERSON_COLUMNS} FROM persons p WHERE p.id = $1");
        let row: PersonRow = query_as(&sql).bind(person_id).fetch_one(&mut *self).await?;
        let (_, person) = row.into_person()?;
        let file: FileRow = query_as(
            "SELECT version, civility, phones, emails, commune_code, address_since, address_invalid_on, \
             corrected_fields, estate_notary_name, estate_notary_address, estate_heirs, estate_option \
             FROM persons WHERE id = $1",
        )
        .bind(person_id)
        .fetch_one(&mut *self)
        .await?;
        let mut phones = text_list(&file.phones, "persons.phones")?;
        if phones.is_empty() {
            phones.extend(person.phone.clone());
        }
        let mut emails = text_list(&file.emails, "persons.emails")?;
        if emails.is_empty() {
            emails.extend(person.email.clone());
        }
        let civility = match &file.civility {
            Some(code) => Some(Civility::from_code(code).ok_or_else(|| corrupt("persons.civility", code))?),
            None => None,
        };
        let option = match &file.estate_option {
            Some(code) => Some(EstateOption::from_code(code).ok_or_else(|| corrupt("persons.estate_option", code))?),
            None => None,
        };
        let addresses: Vec<PastAddress> = query_as(
            "SELECT address_line, postcode, city, commune_code, valid_from, replaced_on, invalid_on, changed_by, reason \
             FROM person_addresses WHERE person_id = $1 ORDER BY id DESC",
        )
        .bind(person_id)
        .fetch_all(&mut *self)
        .await?;
        type SituationRow = (i64, String, NaiveDate, String, Option<String>, String, DateTime<Utc>);
        let rows: Vec<SituationRow> = query_as(
            "SELECT id, kind, on_date, details, reason, recorded_by, recorded_at FROM person_situations \
             WHERE person_id = $1 ORDER BY id DESC",
        )
        .bind(person_id)
        .fetch_all(&mut *self)
        .await?;
        let mut situations = Vec::with_capacity(rows.len());
        for (id, kind, on, details, reason, recorded_by, recorded_at) in rows {
            situations.push(SituationRecord {
                id,
                kind: SituationKind::from_code(&kind).ok_or_else(|| corrupt("person_situations.kind", &kind))?,
                on,
                details: serde_json::from_str(&details).map_err(|_| corrupt("person_situations.details", id))?,
                reason,
                recorded_by,
                recorded_at,
            });
        }
        let differences: Vec<IntakeDifference> = query_as(
            "SELECT id, field, kept_value, intake_value, officer_corrected, seen_at FROM intake_differences \
             WHERE person_id = $1 ORDER BY id DESC",
        )
        .bind(person_id)
        .fetch_all(&mut *self)
        .await?;
        let case_rows: Vec<(i64, String, String, String)> = query_as(
            "SELECT c.id, c.reference, c.status, cp.role FROM case_parties cp JOIN cases c ON c.id = cp.case_id \
             WHERE cp.person_id = $1 ORDER BY c.id, cp.role",
        )
        .bind(person_id)
        .fetch_all(&mut *self)
        .await?;
        let mut cases = Vec::with_capacity(case_rows.len());
        for (id, reference, status, role) in case_rows {
            let role = PartyRole::from_code(&role).ok_or_else(|| corrupt("case_parties.role", &role))?;
            cases.push(PersonCase { id, reference, status, role });
        }
        Ok(DebtorFile {
            person_id,
            person,
            version: file.version,
            civility,
            phones,
            emails,
            commune_code: file.commune_code,
            address_since: file.address_since,
            address_invalid_on: file.address_invalid_on,
            estate: Estate {
                notary_name: file.estate_notary_name,
                notary_address: file.estate_notary_address,
                heirs: file.estate_heirs,
                option,
            },
            corrected_fields: text_list(&file.corrected_fields, "persons.corrected_fields")?,
            addresses,
            situations,
            differences,
            cases,
        })
    }

    /// Bumps the person's version from `expected`; a stale one is refused with 409.
    async fn bump_person(&mut self, person_id: i64, expected: i64) -> Result<i64> {
        let bumped: Option<i64> =
            query_scalar("UPDATE persons SET version = version + 1 WHERE id = $1 AND version = $2 RETURNING version")
                .bind(person_id)
                .bind(expected)
                .fetch_optional(&mut *self)
                .await?;
        match bumped {
            Some(version) => Ok(version),
            None => {
                let current: i64 = query_scalar("SELECT version FROM persons WHERE id = $1")
                    .bind(person_id)
                    .fetch_one(&mut *self)
                    .await?;
                Err(StoreError::Conflict {
                    code: "stale_version",
                    message: format!(
                        "la fiche de cette personne a été modifiée entre-temps (version {current} au lieu de \
                         {expected}) : rechargez-la et refaites votre modification"
                    ),
                })
            }
        }
    }

    /// Journals one event of `kind` on each of the person's open cases (system-side: the officer
    /// quoted the person's version, not each case's).
    async fn journal_on_cases(
        &mut self,
        file: &DebtorFile,
        kind: EventKind,
        payload: &Value,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let mut journaled = Vec::new();
        for case in file.open_cases() {
            if journaled.contains(&case.id) {
                continue;
            }
            let mut payload = payload.clone();
            if let Value::Object(map) = &mut payload {
                map.insert("role".to_string(), json!(case.role.code()));
            }
            self.append_event(CaseEvent {
                case_id: case.id,
                expected_version: None,
                kind,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
            journaled.push(case.id);
        }
        Ok(journaled)
    }
}

/// A person's whole file, read in one snapshot.
pub async fn file(store: &Store, customer_number: &str) -> Result<DebtorFile> {
    let mut tx = store.begin_read().await?;
    let file = tx.debtor_file(customer_number).await?;
    tx.commit().await?;
    Ok(file)
}

/// Who corrects the file, why and when.
#[derive(Clone, Copy, Debug)]
pub struct Author<'a> {
    pub actor: &'a str,
    pub reason: &'a str,
    pub now: DateTime<Utc>,
    /// The business date (the address's change, an NPAI).
    pub today: NaiveDate,
}

/// French labels of the fields, for the journal's one-line summary (no value: those are personal).
fn field_label(field: &str) -> &'static str {
    match field {
        "civility" => "civilité",
        "last_name" => "nom",
        "first_name" => "prénom",
        "birth_date" => "date de naissance",
        "address_line" | "postcode" | "city" | "commune_code" => "adresse",
        "address_invalid" => "NPAI",
        "phones" => "téléphones",
        "emails" => "e-mails",
        "iban" => "IBAN",
        "family_situation" => "situation familiale",
        "dependants" => "personnes à charge",
        "employment" => "situation professionnelle",
        "employer" => "employeur",
        "monthly_income" => "revenus",
        "monthly_charges" => "charges",
        _ => "fiche",
    }
}

/// Writes `new` on the file read at `expected_version`: the person's version is bumped (a stale
/// one is refused), a changed address is filed in the history with the day it changed, the
/// fields changed are marked as corrected (intake will not overwrite them), and each open case
/// of the person journals the old and new values. One transaction. Returns the new version.
pub async fn correct(
    store: &Store,
    customer_number: &str,
    expected_version: i64,
    new: &Editable,
    author: &Author<'_>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let file = tx.debtor_file(customer_number).await?;
    let version = tx.bump_person(file.person_id, expected_version).await?;
    let old = file.editable();
    let changed = changes(&old, new);
    if changed.is_empty() {
        tx.commit().await?;
        return Ok(version);
    }
    let address_changed = changed.iter().any(|change| ADDRESS_FIELDS.contains(&change.field.as_str()));
    let mut address_since = file.address_since;
    let mut invalid_on = file.address_invalid_on;
    if address_changed {
        query(
            "INSERT INTO person_addresses (person_id, address_line, postcode, city, commune_code, valid_from, \
             replaced_on, invalid_on, changed_by, changed_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(file.person_id)
        .bind(&old.address_line)
        .bind(&old.postcode)
        .bind(&old.city)
        .bind(&old.commune_code)
        .bind(file.address_since)
        .bind(author.today)
        .bind(file.address_invalid_on)
        .bind(author.actor)
        .bind(author.now)
        .bind(author.reason)
        .execute(&mut tx)
        .await?;
        address_since = Some(author.today);
        // A new address is presumed good until a letter comes back from it.
        invalid_on = None;
    }
    if new.address_invalid && invalid_on.is_none() {
        invalid_on = Some(author.today);
    } else if !new.address_invalid {
        invalid_on = None;
    }
    let mut corrected = file.corrected_fields.clone();
    for change in &changed {
        if !corrected.contains(&change.field) {
            corrected.push(change.field.clone());
        }
    }
    query(
        "UPDATE persons SET civility = $2, last_name = $3, first_name = $4, search_key = $5, birth_date = $6, \
         address_line = $7, postcode = $8, city = $9, commune_code = $10, address_since = $11, \
         address_invalid_on = $12, phone = $13, phones = $14, email = $15, emails = $16, iban = $17, \
         family_situation = $18, dependants = $19, employment = $20, employer = $21, monthly_income_cents = $22, \
         monthly_charges_cents = $23, corrected_fields = $24 WHERE id = $1",
    )
    .bind(file.person_id)
    .bind(new.civility.map(Civility::code))
    .bind(&new.last_name)
    .bind(&new.first_name)
    .bind(recouvre_domain::case::search_key(&format!("{} {}", new.last_name, new.first_name)))
    .bind(new.birth_date)
    .bind(&new.address_line)
    .bind(&new.postcode)
    .bind(&new.city)
    .bind(&new.commune_code)
    .bind(address_since)
    .bind(invalid_on)
    .bind(new.phones.first())
    .bind(crate::json_text(&new.phones))
    .bind(new.emails.first())
    .bind(crate::json_text(&new.emails))
    .bind(&new.iban)
    .bind(new.family_situation.code())
    .bind(i64::from(new.dependants))
    .bind(new.employment.code())
    .bind(&new.employer)
    .bind(new.monthly_income.cents())
    .bind(new.monthly_charges.cents())
    .bind(crate::json_text(&corrected))
    .execute(&mut tx)
    .await?;
    if changed.iter().any(|change| change.field == "last_name" || change.field == "first_name") {
        // The case list searches by the debtor's name.
        query("UPDATE cases SET search_key = $2 WHERE debtor_id = $1")
            .bind(file.person_id)
            .bind(recouvre_domain::case::search_key(&format!("{} {}", new.last_name, new.first_name)))
            .execute(&mut tx)
            .await?;
    }
    let mut labels: Vec<&str> = changed.iter().map(|change| field_label(&change.field)).collect();
    labels.dedup();
    let fields: Vec<&str> = changed.iter().map(|change| change.field.as_str()).collect();
    let payload = json!({
        "customer_number": customer_number,
        "person_version": version,
        "fields": fields,
        // No name nor value here: the summary stays in the hashed part of the event.
        "summary": format!("Fiche de la personne corrigée : {}", labels.join(", ")),
        "changes": changed,
        "reason": author.reason,
        "name": file.person.display_name(),
    });
    tx.journal_on_cases(&file, EventKind::DebtorFileCorrected, &payload, author.actor, author.now).await?;
    tx.commit().await?;
    Ok(version)
}

/// What a situation does to the file (the kind's own fields, checked by the app).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SituationEffect {
    Deceased { estate: Estate },
    Protection { protection: Protection, guardian_name: Option<String>, guardian_address: Option<String> },
    OverIndebtedness { stage: OverIndebtednessStage },
    Ficp { registered: bool },
}

impl SituationEffect {
    pub fn kind(&self) -> SituationKind {
        match self {
            SituationEffect::Deceased { .. } => SituationKind::Deceased,
            SituationEffect::Protection { .. } => SituationKind::Protection,
            SituationEffect::OverIndebtedness { .. } => SituationKind::OverIndebtedness,
            SituationEffect::Ficp { .. } => SituationKind::Ficp,
        }
    }
}

/// A situation to record.
#[derive(Clone, Debug)]
pub struct NewSituation<'a> {
    pub on: NaiveDate,
    pub effect: SituationEffect,
    /// The kind's own fields as given (recorded in the history, journaled as personal data).
    pub details: Value,
    /// A one-line French summary without personal data (« Décès le 01/12/2026 »).
    pub summary: String,
    pub reason: Option<&'a str>,
}

/// What recording a situation did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SituationRecorded {
    pub id: i64,
    pub version: i64,
    /// The open cases journaled (the strategy is to be re-evaluated on them).
    pub cases: Vec<i64>,
    /// Debt relief: the cases whose balance was written off, with the amount.
    pub written_off: Vec<(i64, Money)>,
    /// Debt relief: the cases left open because co-debtors or guarantors remain liable.
    pub still_owed_by_others: Vec<i64>,
}

/// Records a situation on the file read at `expected_version` and applies its effect to the
/// columns every reader uses, journals it on each open case of the person and, for a debt
/// relief (C. consom. L741-2), writes off what each case of which the person is the only obligor
/// still owes (booked through the ledger, journaled `write_off_booked`). One transaction.
pub async fn record_situation(
    store: &Store,
    customer_number: &str,
    expected_version: i64,
    situation: &NewSituation<'_>,
    author: &Author<'_>,
) -> Result<SituationRecorded> {
    let mut tx = store.begin().await?;
    let file = tx.debtor_file(customer_number).await?;
    let version = tx.bump_person(file.person_id, expected_version).await?;
    let person_id = file.person_id;
    match &situation.effect {
        SituationEffect::Deceased { estate } => {
            query(
                "UPDATE persons SET deceased_on = $2, estate_notary_name = $3, estate_notary_address = $4, \
                 estate_heirs = $5, estate_option = $6 WHERE id = $1",
            )
            .bind(person_id)
            .bind(situation.on)
            .bind(&estate.notary_name)
            .bind(&estate.notary_address)
            .bind(&estate.heirs)
            .bind(estate.option.map(EstateOption::code))
            .execute(&mut tx)
            .await?;
        }
        SituationEffect::Protection { protection, guardian_name, guardian_address } => {
            query("UPDATE persons SET protection = $2, guardian_name = $3, guardian_address = $4 WHERE id = $1")
                .bind(person_id)
                .bind(protection.code())
                .bind(guardian_name)
                .bind(guardian_address)
                .execute(&mut tx)
                .await?;
        }
        SituationEffect::OverIndebtedness { stage } => {
            query("UPDATE persons SET over_indebtedness = $2 WHERE id = $1")
                .bind(person_id)
                .bind(stage.over_indebtedness().code())
                .execute(&mut tx)
                .await?;
        }
        SituationEffect::Ficp { registered } => {
            query("UPDATE persons SET ficp_registered = $2 WHERE id = $1")
                .bind(person_id)
                .bind(*registered)
                .execute(&mut tx)
                .await?;
        }
    }
    let kind = situation.effect.kind();
    let id: i64 = query_scalar(
        "INSERT INTO person_situations (person_id, kind, on_date, details, reason, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(person_id)
    .bind(kind.code())
    .bind(situation.on)
    .bind(situation.details.to_string())
    .bind(situation.reason)
    .bind(author.actor)
    .bind(author.now)
    .fetch_one(&mut tx)
    .await?;
    let payload = json!({
        "customer_number": customer_number,
        "person_version": version,
        "situation_id": id,
        "situation": kind.code(),
        "on": situation.on,
        "summary": situation.summary,
        "details": situation.details,
        "reason": situation.reason.unwrap_or_default(),
        "name": file.person.display_name(),
    });
    let cases =
        tx.journal_on_cases(&file, EventKind::DebtorSituationRecorded, &payload, author.actor, author.now).await?;
    let mut written_off = Vec::new();
    let mut still_owed_by_others = Vec::new();
    if let SituationEffect::OverIndebtedness { stage } = &situation.effect {
        if stage.erases_debt() {
            for case in file.open_cases().filter(|case| case.role == PartyRole::Debtor) {
                let others: i64 = query_scalar(
                    "SELECT COUNT(*) FROM case_parties WHERE case_id = $1 AND person_id <> $2 AND role IN ('co_debtor', 'guarantor')",
                )
                .bind(case.id)
                .bind(person_id)
                .fetch_one(&mut tx)
                .await?;
                if others > 0 {
                    still_owed_by_others.push(case.id);
                    continue;
                }
                if let Some(amount) = tx.write_off_everything(case.id, author, situation.on).await? {
                    written_off.push((case.id, amount));
                }
            }
        }
    }
    tx.commit().await?;
    Ok(SituationRecorded { id, version, cases, written_off, still_owed_by_others })
}

impl Tx {
    /// Writes off all a case owes after a debt relief, like an approved write-off (ledger rule
    /// `write_off`, journaled `write_off_booked`). `None` when nothing is owed.
    async fn write_off_everything(
        &mut self,
        case_id: i64,
        author: &Author<'_>,
        decided_on: NaiveDate,
    ) -> Result<Option<Money>> {
        // Everything includes the interest accrued to the decision's day (issue 18).
        let balances =
            self.settled_balances(case_id, decided_on, &mut None, "write_off", author.actor, author.now).await?;
        let due = balances.due();
        if !due.total().is_positive() {
            return Ok(None);
        }
        let transaction = ledger::write_off(&balances, &due).map_err(crate::ledger::refused_by_ledger)?;
        let reason = "effacement des dettes (surendettement, C. consom. L741-2)";
        let payload = json!({"amounts": due, "total": due.total(), "reason": reason, "debt_relief_on": decided_on});
        self.append_event(CaseEvent {
            case_id,
            expected_version: None,
            kind: EventKind::WriteOffBooked,
            payload: payload.to_string(),
            actor: author.actor,
            now: author.now,
        })
        .await?;
        let reference = format!("passage en pertes : {reason}");
        self.book(Booking {
            case_id: Some(case_id),
            transaction: &transaction,
            booked_on: author.today,
            reference: &reference,
            reverses: None,
            actor: author.actor,
            now: author.now,
        })
        .await?;
        Ok(Some(due.total()))
    }
}

impl Tx {
    /// The debtor's situation as intake brings it (death, protection, over-indebtedness) is only
    /// ever set on a new person: on a known one, where the file says something the person's
    /// record does not, the difference is listed for the officer (once per value), never
    /// written — a situation has effects (letters, enforcement) an officer must decide on.
    /// Values are listed as shown on the screen (labels, French dates).
    pub(crate) async fn list_situation_differences(
        &mut self,
        person_id: i64,
        incoming: &Person,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (deceased_on, protection, guardian_name, guardian_address, over_indebtedness): (
            Option<NaiveDate>,
            String,
            Option<String>,
            Option<String>,
            String,
        ) = query_as(
            "SELECT deceased_on, protection, guardian_name, guardian_address, over_indebtedness FROM persons \
             WHERE id = $1",
        )
        .bind(person_id)
        .fetch_one(&mut *self)
        .await?;
        let date = |day: Option<NaiveDate>| day.map(|day| day.format("%d/%m/%Y").to_string());
        let protection_label =
            |code: &str| Protection::from_code(code).map_or(code.to_string(), |p| p.label().to_string());
        let stage_label =
            |code: &str| OverIndebtedness::from_code(code).map_or(code.to_string(), |s| s.label().to_string());
        let mut differences: Vec<(&str, Option<String>, String)> = Vec::new();
        if incoming.deceased_on.is_some() && incoming.deceased_on != deceased_on {
            differences.push(("deceased_on", date(deceased_on), date(incoming.deceased_on).unwrap_or_default()));
        }
        if incoming.protection != Protection::None && incoming.protection.code() != protection {
            differences.push((
                "protection",
                Some(protection_label(&protection)),
                incoming.protection.label().to_string(),
            ));
        }
        for (field, kept, brought) in [
            ("guardian_name", &guardian_name, &incoming.guardian_name),
            ("guardian_address", &guardian_address, &incoming.guardian_address),
        ] {
            if let Some(brought) = brought.as_ref().filter(|brought| Some(*brought) != kept.as_ref()) {
                differences.push((field, kept.clone(), brought.clone()));
            }
        }
        if incoming.over_indebtedness != OverIndebtedness::None
            && incoming.over_indebtedness.code() != over_indebtedness
        {
            differences.push((
                "over_indebtedness",
                Some(stage_label(&over_indebtedness)),
                incoming.over_indebtedness.label().to_string(),
            ));
        }
        for (field, kept, value) in differences {
            let listed: i64 = query_scalar(
                "SELECT COUNT(*) FROM intake_differences WHERE person_id = $1 AND field = $2 \
                 AND COALESCE(intake_value, '') = $3",
            )
            .bind(person_id)
            .bind(field)
            .bind(&value)
            .fetch_one(&mut *self)
            .await?;
            if listed > 0 {
                continue;
            }
            query(
                "INSERT INTO intake_differences (person_id, field, kept_value, intake_value, officer_corrected, seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(person_id)
            .bind(field)
            .bind(kept)
            .bind(Some(value))
            .bind(false)
            .bind(now)
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }
}

/// The value of an officer-correctable field as intake brings it, or `None` when intake does not
/// carry that field; text for the list of differences.
fn intake_value(person: &Person, field: &str) -> Option<Option<String>> {
    let text = |value: &Option<String>| value.clone();
    Some(match field {
        "last_name" => Some(person.last_name.clone()),
        "first_name" => Some(person.first_name.clone()),
        "birth_date" => person.birth_date.map(|day| day.to_string()),
        "address_line" => Some(person.address_line.clone()),
        "postcode" => Some(person.postcode.clone()),
        "city" => Some(person.city.clone()),
        "phones" => text(&person.phone),
        "emails" => text(&person.email),
        "iban" => text(&person.iban),
        "family_situation" => Some(person.family_situation.code().to_string()),
        "dependants" => Some(person.dependants.to_string()),
        "employment" => Some(person.employment.code().to_string()),
        "employer" => text(&person.employer),
        "monthly_income" => Some(person.monthly_income.to_string()),
        "monthly_charges" => Some(person.monthly_charges.to_string()),
        _ => return None,
    })
}

/// The file's value of `field` for the list of differences, and whether `incoming` matches it
/// (a phone or e-mail matches when it is one of the file's).
fn kept_value(file: &DebtorFile, field: &str, incoming: &Option<String>) -> (Option<String>, bool) {
    let list = |values: &[String]| {
        let matches = incoming.as_ref().is_none_or(|value| values.iter().any(|known| known == value));
        (Some(values.join(", ")).filter(|text| !text.is_empty()), matches)
    };
    match field {
        "phones" => list(&file.phones),
        "emails" => list(&file.emails),
        _ => {
            let kept = intake_value(&file.person, field).flatten();
            let matches = &kept == incoming;
            (kept, matches)
        }
    }
}

impl Tx {
    /// Intake never silently overwrites an officer's correction (issue 17): for each field an
    /// officer corrected on the known person `person_id`, a different value in the import is
    /// listed in `intake_differences` (once per value) and the file keeps the officer's.
    pub(crate) async fn list_intake_differences(
        &mut self,
        person_id: i64,
        incoming: &Person,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let corrected: String = query_scalar("SELECT corrected_fields FROM persons WHERE id = $1")
            .bind(person_id)
            .fetch_one(&mut *self)
            .await?;
        let corrected = text_list(&corrected, "persons.corrected_fields")?;
        if corrected.is_empty() {
            return Ok(());
        }
        let file = self.debtor_file(&incoming.customer_number).await?;
        for field in &corrected {
            let Some(value) = intake_value(incoming, field) else { continue };
            let (kept, matches) = kept_value(&file, field, &value);
            if matches {
                continue;
            }
            let listed: i64 = query_scalar(
                "SELECT COUNT(*) FROM intake_differences WHERE person_id = $1 AND field = $2 \
                 AND COALESCE(intake_value, '') = $3",
            )
            .bind(person_id)
            .bind(field)
            .bind(value.clone().unwrap_or_default())
            .fetch_one(&mut *self)
            .await?;
            if listed > 0 {
                continue;
            }
            query(
                "INSERT INTO intake_differences (person_id, field, kept_value, intake_value, officer_corrected, seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(person_id)
            .bind(field)
            .bind(kept)
            .bind(value)
            .bind(true)
            .bind(now)
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }
}
