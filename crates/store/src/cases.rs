//! The case file on disk: open cases, list and search them, read one, change it.
//!
//! Every change goes through [`crate::journal::append_event`] in the same transaction as its
//! effect on these read tables.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::case::{
    AccountKind, Breakdown, CaseStatus, Claim, ClaimNature, Employment, FamilySituation, Guarantee, GuaranteeKind,
    NewCase, OtherAccount, OverIndebtedness, PartyRole, Person, Protection,
};
use recouvre_domain::journal::EventKind;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::ledger::Booking;
use crate::{Result, Store, StoreError, Tx};

impl Tx {
    /// Inserts a person unless their customer number is known; returns their id. A known
    /// person is not updated: where an officer corrected a field and the import brings another
    /// value, the difference is listed for the officer (issue 17, [`Tx::list_intake_differences`]).
    pub(crate) async fn upsert_person(&mut self, person: &Person, now: DateTime<Utc>) -> Result<i64> {
        let existing: Option<i64> = query_scalar("SELECT id FROM persons WHERE customer_number = $1")
            .bind(&person.customer_number)
            .fetch_optional(&mut *self)
            .await?;
        match existing {
            Some(id) => {
                self.list_intake_differences(id, person, now).await?;
                self.list_situation_differences(id, person, now).await?;
                Ok(id)
            }
            None => {
                let id: i64 = query_scalar(
                    "INSERT INTO persons (customer_number, last_name, first_name, search_key, birth_date, \
                     address_line, postcode, city, phone, email, iban, family_situation, dependants, employment, \
                     employer, monthly_income_cents, monthly_charges_cents, deceased_on, protection, guardian_name, \
                     guardian_address, over_indebtedness, ficp_registered) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
                     $20, $21, $22, $23) RETURNING id",
                )
                .bind(&person.customer_number)
                .bind(&person.last_name)
                .bind(&person.first_name)
                .bind(person.search_key())
                .bind(person.birth_date)
                .bind(&person.address_line)
                .bind(&person.postcode)
                .bind(&person.city)
                .bind(&person.phone)
                .bind(&person.email)
                .bind(&person.iban)
                .bind(person.family_situation.code())
                .bind(i64::from(person.dependants))
                .bind(person.employment.code())
                .bind(&person.employer)
                .bind(person.monthly_income.cents())
                .bind(person.monthly_charges.cents())
                .bind(person.deceased_on)
                .bind(person.protection.code())
                .bind(&person.guardian_name)
                .bind(&person.guardian_address)
                .bind(person.over_indebtedness.code())
                .bind(person.ficp_registered)
                .fetch_one(&mut *self)
                .await?;
                Ok(id)
            }
        }
    }

    /// Opens a case for `new_case`, or adds its claims to the debtor's open case. Claims
    /// already known by contract reference are skipped, which makes imports idempotent. Returns
    /// the case id and whether anything changed.
    ///
    /// The seed's bulk path (the `seed` module) writes exactly these rows and events for a new case:
    /// change both together (`crates/testkit/tests/seed.rs` compares them).
    pub(crate) async fn open_or_join_case(
        &mut self,
        new_case: &NewCase,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(i64, bool)> {
        let joined = self.join_case(new_case, actor, now).await?;
        Ok((joined.case_id, joined.changed))
    }

    /// [`Tx::open_or_join_case`], telling whether the case was opened and how many claims were
    /// added (the import summary counts them apart, issue 17).
    pub(crate) async fn join_case(&mut self, new_case: &NewCase, actor: &str, now: DateTime<Utc>) -> Result<Joined> {
        let mut claims_added = 0_u64;
        let debtor_id = self.upsert_person(&new_case.debtor, now).await?;
        let open_case: Option<i64> =
            query_scalar("SELECT id FROM cases WHERE debtor_id = $1 AND status <> 'closed' ORDER BY id LIMIT 1")
                .bind(debtor_id)
                .fetch_optional(&mut *self)
                .await?;
        let mut changed = false;
        let case_id = match open_case {
            Some(case_id) => case_id,
            None => {
                changed = true;
                let officer_id: Option<i64> = match &new_case.officer {
                    None => None,
                    Some(login) => {
                        let id: Option<i64> = query_scalar("SELECT id FROM users WHERE login = $1")
                            .bind(login)
                            .fetch_optional(&mut *self)
                            .await?;
                        Some(id.ok_or_else(|| crate::StoreError::not_found(format!("gestionnaire « {login} »")))?)
                    }
                };
                let main_nature =
                    new_case.claims.first().map_or(recouvre_domain::case::ClaimNature::Overdraft, |claim| claim.nature);
                let case_id: i64 = query_scalar(
                    "INSERT INTO cases (reference, debtor_id, officer_id, status, main_nature, opened_on, tags, \
                     total_cents, search_key, version, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 0, $9) RETURNING id",
                )
                .bind(format!("tmp-{}", new_case.debtor.customer_number))
                .bind(debtor_id)
                .bind(officer_id)
                .bind(new_case.status.code())
                .bind(main_nature.code())
                .bind(new_case.opened_on)
                .bind(crate::json_text(&new_case.tags))
                .bind(new_case.debtor.search_key())
                .bind(now)
                .fetch_one(&mut *self)
                .await?;
                let reference = crate::cases::case_reference(case_id);
                query("UPDATE cases SET reference = $2 WHERE id = $1")
                    .bind(case_id)
                    .bind(&reference)
                    .execute(&mut *self)
                    .await?;
                query("INSERT INTO case_parties (case_id, person_id, role) VALUES ($1, $2, 'debtor')")
                    .bind(case_id)
                    .bind(debtor_id)
                    .execute(&mut *self)
                    .await?;
                let payload = serde_json::json!({
                    "reference": reference,
                    "debtor": new_case.debtor.display_name(),
                    "customer_number": new_case.debtor.customer_number,
                    "status": new_case.status.code(),
                    "opened_on": new_case.opened_on,
                    "officer": new_case.officer,
                    "tags": new_case.tags,
                });
                self.append_event(CaseEvent {
                    case_id,
                    expected_version: None,
                    kind: EventKind::CaseOpened,
                    payload: payload.to_string(),
                    actor,
                    now,
                })
                .await?;
                for guarantee in &new_case.guarantees {
                    query("INSERT INTO guarantees (case_id, kind, description, amount_cents) VALUES ($1, $2, $3, $4)")
                        .bind(case_id)
                        .bind(guarantee.kind.code())
                        .bind(&guarantee.description)
                        .bind(guarantee.amount.cents())
                        .execute(&mut *self)
                        .await?;
                    let payload = serde_json::json!({"kind": guarantee.kind.code(), "description": guarantee.description, "amount": guarantee.amount});
                    self.append_event(CaseEvent {
                        case_id,
                        expected_version: None,
                        kind: EventKind::GuaranteeAdded,
                        payload: payload.to_string(),
                        actor,
                        now,
                    })
                    .await?;
                }
                for note in &new_case.notes {
                    query("INSERT INTO case_notes (case_id, author, body, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(case_id)
                        .bind(actor)
                        .bind(note)
                        .bind(now)
                        .execute(&mut *self)
                        .await?;
                    self.append_event(CaseEvent {
                        case_id,
                        expected_version: None,
                        kind: EventKind::NoteAdded,
                        payload: serde_json::json!({"body": note}).to_string(),
                        actor,
                        now,
                    })
                    .await?;
                }
                case_id
            }
        };
        for (role, person) in &new_case.parties {
            let person_id = self.upsert_person(person, now).await?;
            let inserted =
                query("INSERT INTO case_parties (case_id, person_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(case_id)
                    .bind(person_id)
                    .bind(role.code())
                    .execute(&mut *self)
                    .await?
                    .rows_affected();
            if inserted > 0 {
                changed = true;
                let payload = serde_json::json!({"role": role.code(), "name": person.display_name(), "customer_number": person.customer_number});
                self.append_event(CaseEvent {
                    case_id,
                    expected_version: None,
                    kind: EventKind::PartyAdded,
                    payload: payload.to_string(),
                    actor,
                    now,
                })
                .await?;
            }
        }
        for claim in &new_case.claims {
            let inserted: Option<i64> = query_scalar(
                "INSERT INTO claims (case_id, contract_ref, nature, principal_cents, contractual_interest_cents, \
                 statutory_interest_cents, costs_cents, penalties_cents, contractual_rate, opened_on, due_on, \
                 first_incident_on, last_payment_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 ON CONFLICT (contract_ref) DO NOTHING RETURNING id",
            )
            .bind(case_id)
            .bind(&claim.contract_ref)
            .bind(claim.nature.code())
            .bind(claim.amounts.principal.cents())
            .bind(claim.amounts.contractual_interest.cents())
            .bind(claim.amounts.statutory_interest.cents())
            .bind(claim.amounts.costs.cents())
            .bind(claim.amounts.penalties.cents())
            .bind(&claim.contractual_rate)
            .bind(claim.opened_on)
            .bind(claim.due_on)
            .bind(claim.first_incident_on)
            .bind(claim.last_payment_on)
            .fetch_optional(&mut *self)
            .await?;
            if inserted.is_some() {
                changed = true;
                claims_added += 1;
                let payload = crate::json_text(claim);
                self.append_event(CaseEvent {
                    case_id,
                    expected_version: None,
                    kind: EventKind::ClaimAdded,
                    payload,
                    actor,
                    now,
                })
                .await?;
                // The claim's amounts enter the case's ledger as transferred from core banking.
                if let Ok(opening) = recouvre_domain::ledger::opening(&claim.amounts) {
                    self.book(Booking {
                        case_id: Some(case_id),
                        transaction: &opening,
                        booked_on: recouvre_domain::business_date::paris_date(now),
                        reference: &claim.contract_ref,
                        reverses: None,
                        actor,
                        now,
                    })
                    .await?;
                }
            }
        }
        for account in &new_case.other_accounts {
            query(
                "INSERT INTO other_accounts (person_id, kind, account_number, balance_cents) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (account_number) DO NOTHING",
            )
            .bind(debtor_id)
            .bind(account.kind.code())
            .bind(&account.account_number)
            .bind(account.balance.cents())
            .execute(&mut *self)
            .await?;
        }
        Ok(Joined { case_id, changed, created: open_case.is_none(), claims_added })
    }
}

/// What [`Tx::join_case`] did.
pub(crate) struct Joined {
    pub(crate) case_id: i64,
    /// A case was opened, or a claim or party added.
    pub(crate) changed: bool,
    /// A case was opened.
    pub(crate) created: bool,
    pub(crate) claims_added: u64,
}

/// The case number shown to officers and printed on letters.
pub fn case_reference(case_id: i64) -> String {
    format!("CTX-{case_id:07}")
}

/// Opens (or joins) one case in its own transaction.
pub async fn open(store: &Store, new_case: &NewCase, actor: &str, now: DateTime<Utc>) -> Result<(i64, bool)> {
    let mut tx = store.begin().await?;
    let result = tx.open_or_join_case(new_case, actor, now).await?;
    tx.commit().await?;
    Ok(result)
}

/// Opens many cases in one transaction (the demo generator; imports use [`crate::imports`]).
pub async fn open_many(store: &Store, new_cases: &[NewCase], actor: &str, now: DateTime<Utc>) -> Result<u64> {
    let mut tx = store.begin().await?;
    let mut created = 0_u64;
    for new_case in new_cases {
        let (_, changed) = tx.open_or_join_case(new_case, actor, now).await?;
        created += u64::from(changed);
    }
    tx.commit().await?;
    Ok(created)
}

/// How the case list is ordered. Each order has an index, and pages are cut by keyset (the
/// last row's sort value and id), never by OFFSET, so page 5 000 costs what page 1 costs.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    #[default]
    OpenedDesc,
    OpenedAsc,
    TotalDesc,
    TotalAsc,
}

impl CaseSort {
    pub const ALL: [CaseSort; 4] = [CaseSort::OpenedDesc, CaseSort::OpenedAsc, CaseSort::TotalDesc, CaseSort::TotalAsc];

    pub fn code(self) -> &'static str {
        match self {
            CaseSort::OpenedDesc => "opened_desc",
            CaseSort::OpenedAsc => "opened_asc",
            CaseSort::TotalDesc => "total_desc",
            CaseSort::TotalAsc => "total_asc",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseSort> {
        CaseSort::ALL.into_iter().find(|sort| sort.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseSort::OpenedDesc => "Entrée au contentieux, plus récents d'abord",
            CaseSort::OpenedAsc => "Entrée au contentieux, plus anciens d'abord",
            CaseSort::TotalDesc => "Montant dû, décroissant",
            CaseSort::TotalAsc => "Montant dû, croissant",
        }
    }

    fn column(self) -> &'static str {
        match self {
            CaseSort::OpenedDesc | CaseSort::OpenedAsc => "c.opened_on",
            CaseSort::TotalDesc | CaseSort::TotalAsc => "c.total_cents",
        }
    }

    fn descending(self) -> bool {
        matches!(self, CaseSort::OpenedDesc | CaseSort::TotalDesc)
    }
}

/// Which officer's cases to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OfficerFilter {
    Any,
    Unassigned,
    User(i64),
}

#[derive(Clone, Debug)]
pub struct CaseFilter {
    /// A name (prefix of "last name first name"), a case number (`CTX-…`) or an account or
    /// contract number.
    pub query: Option<String>,
    pub status: Option<CaseStatus>,
    pub officer: OfficerFilter,
    pub nature: Option<ClaimNature>,
    pub min_total: Option<Money>,
    pub max_total: Option<Money>,
    /// Open cases only (every status but `closed`).
    pub open_only: bool,
    /// Cases with an open legal deadline of the agenda due on or before this day.
    pub deadline_until: Option<NaiveDate>,
    /// Cases with an approval request waiting for a decision.
    pub pending_approval: bool,
    /// Cases closed on or after this day.
    pub closed_from: Option<NaiveDate>,
    /// Cases closed on or before this day.
    pub closed_to: Option<NaiveDate>,
    /// Cases where this user (login) recorded an event of the journal (with `active_from` and
    /// `active_to`: in those days).
    pub actor: Option<String>,
    /// Cases with a journal event recorded on or after this day (UTC).
    pub active_from: Option<NaiveDate>,
    /// Cases with a journal event recorded on or before this day (UTC).
    pub active_to: Option<NaiveDate>,
    pub sort: CaseSort,
    /// Cursor from the previous page (`CasePage::next`).
    pub after: Option<String>,
    /// Rows to skip when there is no cursor: a page chosen by its number. Bounded by
    /// `MAX_OFFSET` (the count's cap), so a jump never walks more index entries than that;
    /// beyond it the list goes on by cursor only.
    pub offset: u32,
    pub limit: u32,
}

impl Default for CaseFilter {
    fn default() -> CaseFilter {
        CaseFilter {
            query: None,
            status: None,
            officer: OfficerFilter::Any,
            nature: None,
            min_total: None,
            max_total: None,
            open_only: false,
            deadline_until: None,
            pending_approval: false,
            closed_from: None,
            closed_to: None,
            actor: None,
            active_from: None,
            active_to: None,
            sort: CaseSort::default(),
            after: None,
            offset: 0,
            limit: 50,
        }
    }
}

/// Upper bound on a page, whatever the caller asks.
pub const MAX_PAGE_ROWS: u32 = 200;

/// The case list counts its matches up to this many, then says « plus de 10 000 »: an exact
/// count of a million rows walks them all (seconds on PostgreSQL), while the page itself reads
/// only its 50 index entries.
pub const COUNT_CAP: u32 = 10_000;

/// The largest `CaseFilter::offset` honoured: pages past the count's cap go on by cursor.
pub const MAX_OFFSET: u32 = COUNT_CAP;

/// How many cases match a filter, counted up to a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CaseCount {
    /// The number of matches, at most the cap.
    pub count: u32,
    /// More than `count` cases match (the count stopped at the cap).
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseSummary {
    pub id: i64,
    pub reference: String,
    pub debtor_last_name: String,
    pub debtor_first_name: String,
    pub status: String,
    pub main_nature: String,
    pub total_cents: i64,
    pub opened_on: NaiveDate,
    pub officer_name: Option<String>,
    pub tags: String,
    /// The case's version, quoted by a change made from the list (its bulk actions).
    pub version: i64,
}

impl CaseSummary {
    /// `DUPONT Jean`, as on the case page and in letters (upper-cased in Rust: SQLite's
    /// `UPPER` does not know accented letters).
    pub fn debtor_name(&self) -> String {
        format!("{} {}", self.debtor_last_name.to_uppercase(), self.debtor_first_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CasePage {
    pub cases: Vec<CaseSummary>,
    /// Cursor for the next page, if there may be one.
    pub next: Option<String>,
}

enum Bind {
    Int(i64),
    Text(String),
    Date(NaiveDate),
    Instant(chrono::DateTime<chrono::Utc>),
}

/// What a search text looks like, decided in Rust so that each form hits one index.
#[derive(Debug, PartialEq, Eq)]
pub enum SearchKind {
    Reference(String),
    Account(String),
    Name(String),
}

pub fn classify_search(query: &str) -> Option<SearchKind> {
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return None;
    }
    let upper = trimmed.to_uppercase();
    if upper.starts_with("CTX-") {
        return Some(SearchKind::Reference(upper));
    }
    if trimmed.chars().any(|c| c.is_ascii_digit()) {
        return Some(SearchKind::Account(trimmed.replace(' ', "")));
    }
    Some(SearchKind::Name(recouvre_domain::case::search_key(trimmed)))
}

/// The conditions of a filter (without its cursor) and the values they bind.
fn filter_conditions(filter: &CaseFilter) -> (Vec<String>, Vec<Bind>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    // `?` in a condition stands for the placeholder of the value bound with it.
    fn push(conditions: &mut Vec<String>, condition: &str, bind: Bind, binds: &mut Vec<Bind>) {
        binds.push(bind);
        conditions.push(condition.replace('?', &format!("${}", binds.len())));
    }
    match filter.query.as_deref().and_then(classify_search) {
        None => {}
        Some(SearchKind::Reference(reference)) => {
            push(&mut conditions, "c.reference = ?", Bind::Text(reference), &mut binds)
        }
        Some(SearchKind::Account(account)) => push(
            &mut conditions,
            "c.id IN (SELECT case_id FROM claims WHERE contract_ref = ?)",
            Bind::Text(account),
            &mut binds,
        ),
        Some(SearchKind::Name(key)) => {
            push(&mut conditions, "c.search_key >= ?", Bind::Text(key.clone()), &mut binds);
            push(&mut conditions, "c.search_key < ?", Bind::Text(format!("{key}\u{10FFFF}")), &mut binds);
        }
    }
    if let Some(status) = filter.status {
        push(&mut conditions, "c.status = ?", Bind::Text(status.code().to_string()), &mut binds);
    }
    match filter.officer {
        OfficerFilter::Any => {}
        OfficerFilter::Unassigned => conditions.push("c.officer_id IS NULL".to_string()),
        OfficerFilter::User(id) => push(&mut conditions, "c.officer_id = ?", Bind::Int(id), &mut binds),
    }
    if let Some(nature) = filter.nature {
        push(&mut conditions, "c.main_nature = ?", Bind::Text(nature.code().to_string()), &mut binds);
    }
    if let Some(min) = filter.min_total {
        push(&mut conditions, "c.total_cents >= ?", Bind::Int(min.cents()), &mut binds);
    }
    if let Some(max) = filter.max_total {
        push(&mut conditions, "c.total_cents <= ?", Bind::Int(max.cents()), &mut binds);
    }
    // The cockpit's filters: each a range on an index (agenda_items_open, approval_requests_status,
    // cases_closed), the page still keyset-paginated on the sort column.
    if filter.open_only {
        conditions.push("c.status <> 'closed'".to_string());
    }
    if let Some(until) = filter.deadline_until {
        push(
            &mut conditions,
            "c.id IN (SELECT a.case_id FROM agenda_items a WHERE a.status = 'open' AND a.kind = 'deadline' AND a.due_on <= ?)",
            Bind::Date(until),
            &mut binds,
        );
    }
    if filter.pending_approval {
        conditions.push("c.id IN (SELECT r.case_id FROM approval_requests r WHERE r.status = 'pending')".to_string());
    }
    if let Some(from) = filter.closed_from {
        push(&mut conditions, "c.closed_on >= ?", Bind::Date(from), &mut binds);
    }
    if let Some(to) = filter.closed_to {
        push(&mut conditions, "c.closed_on <= ?", Bind::Date(to), &mut binds);
    }
    // The cockpit's activity: one subquery on the journal, a range on case_events_recorded.
    if filter.actor.is_some() || filter.active_from.is_some() || filter.active_to.is_some() {
        let mut parts = Vec::new();
        let midnight = recouvre_domain::business_date::paris_day_start;
        if let Some(from) = filter.active_from {
            push(&mut parts, "e.recorded_at >= ?", Bind::Instant(midnight(from)), &mut binds);
        }
        if let Some(to) = filter.active_to {
            let next = to.succ_opt().unwrap_or(to);
            push(&mut parts, "e.recorded_at < ?", Bind::Instant(midnight(next)), &mut binds);
        }
        if let Some(actor) = &filter.actor {
            push(&mut parts, "e.actor = ?", Bind::Text(actor.clone()), &mut binds);
            // Compliance's members are in no actor filter (CMF L561-18).
            parts.push(crate::aml::not_compliance("e.actor"));
        }
        conditions.push(format!("c.id IN (SELECT e.case_id FROM case_events e WHERE {})", parts.join(" AND ")));
    }
    (conditions, binds)
}

fn bind_all<T: crate::db::FromRow>(
    mut query: crate::db::QueryAs<'_, T>,
    binds: Vec<Bind>,
) -> crate::db::QueryAs<'_, T> {
    for bind in binds {
        query = match bind {
            Bind::Int(value) => query.bind(value),
            Bind::Text(value) => query.bind(value),
            Bind::Date(value) => query.bind(value),
            Bind::Instant(value) => query.bind(value),
        };
    }
    query
}

/// How many cases match `filter` (its cursor, offset and sort aside), counted up to `cap`:
/// the count reads at most `cap + 1` index entries, whatever the portfolio's size.
pub async fn count_matching(store: &Store, filter: &CaseFilter, cap: u32) -> Result<CaseCount> {
    let (conditions, binds) = filter_conditions(filter);
    let where_clause =
        if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT c.id FROM cases c {where_clause} LIMIT {fetch}) AS matching",
        fetch = u64::from(cap) + 1
    );
    let (n,): (i64,) = bind_all(query_as(&sql), binds).fetch_one(store).await?;
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    Ok(if n > cap { CaseCount { count: cap, more: true } } else { CaseCount { count: n, more: false } })
}

/// A page of the case list.
pub async fn list(store: &Store, filter: &CaseFilter) -> Result<CasePage> {
    let limit = filter.limit.clamp(1, MAX_PAGE_ROWS);
    let (mut conditions, mut binds) = filter_conditions(filter);
    let sort = filter.sort;
    if let Some(cursor) = &filter.after {
        let (value, id) = parse_cursor(sort, cursor)?;
        let op = if sort.descending() { "<" } else { ">" };
        binds.push(value);
        binds.push(Bind::Int(id));
        let (a, b) = (binds.len() - 1, binds.len());
        conditions.push(format!("({col} {op} ${a} OR ({col} = ${a} AND c.id {op} ${b}))", col = sort.column()));
    }
    let direction = if sort.descending() { "DESC" } else { "ASC" };
    let where_clause =
        if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    // The page's ids are chosen and sorted on `cases` alone (every condition is on the case or
    // keyed by its id), then only those rows are joined to the debtor and the officer: a search
    // matching thousands of cases sorts their index entries, not their joined rows.
    let sql = format!(
        "SELECT c.id, c.reference, p.last_name AS debtor_last_name, p.first_name AS debtor_first_name, c.status, c.main_nature, \
         c.total_cents, c.opened_on, u.display_name AS officer_name, c.tags, c.version \
         FROM cases c JOIN persons p ON p.id = c.debtor_id LEFT JOIN users u ON u.id = c.officer_id \
         WHERE c.id IN (SELECT c.id FROM cases c {where_clause} ORDER BY {col} {direction}, c.id {direction} LIMIT {fetch}{offset}) \
         ORDER BY {col} {direction}, c.id {direction}",
        col = sort.column(),
        fetch = limit + 1,
        // A page number is an offset only without a cursor, and never past the count's cap.
        offset = match (&filter.after, filter.offset.min(MAX_OFFSET)) {
            (None, offset) if offset > 0 => format!(" OFFSET {offset}"),
            _ => String::new(),
        },
    );
    let mut rows: Vec<CaseSummary> = bind_all(query_as(&sql), binds).fetch_all(store).await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|last| cursor_for(sort, last))
    } else {
        None
    };
    Ok(CasePage { cases: rows, next })
}

fn cursor_for(sort: CaseSort, row: &CaseSummary) -> String {
    match sort {
        CaseSort::OpenedDesc | CaseSort::OpenedAsc => format!("{}_{}", row.opened_on, row.id),
        CaseSort::TotalDesc | CaseSort::TotalAsc => format!("{}_{}", row.total_cents, row.id),
    }
}

fn parse_cursor(sort: CaseSort, cursor: &str) -> Result<(Bind, i64)> {
    // Bad input (400 naming `after`), not a refusal by the state of things (issue 22: it was a
    // 409 the document did not list).
    let bad = || {
        StoreError::invalid_field(
            "after",
            format!("curseur de pagination invalide « {cursor} » : repartez de la première page"),
        )
    };
    let (value, id) = cursor.rsplit_once('_').ok_or_else(bad)?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    let value = match sort {
        CaseSort::OpenedDesc | CaseSort::OpenedAsc => Bind::Date(value.parse().map_err(|_| bad())?),
        CaseSort::TotalDesc | CaseSort::TotalAsc => Bind::Int(value.parse().map_err(|_| bad())?),
    };
    Ok((value, id))
}

#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    id: i64,
    customer_number: String,
    last_name: String,
    first_name: String,
    birth_date: Option<NaiveDate>,
    address_line: String,
    postcode: String,
    city: String,
    phone: Option<String>,
    email: Option<String>,
    iban: Option<String>,
    family_situation: String,
    dependants: i64,
    employment: String,
    employer: Option<String>,
    monthly_income_cents: i64,
    monthly_charges_cents: i64,
    deceased_on: Option<NaiveDate>,
    protection: String,
    guardian_name: Option<String>,
    guardian_address: Option<String>,
    over_indebtedness: String,
    ficp_registered: bool,
}

fn decode<T>(value: Option<T>, column: &str, code: &str) -> Result<T> {
    value.ok_or_else(|| StoreError::Corrupt(format!("code « {code} » inconnu dans la colonne {column}")))
}

impl PersonRow {
    pub(crate) fn into_person(self) -> Result<(i64, Person)> {
        let person = Person {
            customer_number: self.customer_number,
            last_name: self.last_name,
            first_name: self.first_name,
            birth_date: self.birth_date,
            address_line: self.address_line,
            postcode: self.postcode,
            city: self.city,
            phone: self.phone,
            email: self.email,
            iban: self.iban,
            family_situation: decode(
                FamilySituation::from_code(&self.family_situation),
                "family_situation",
                &self.family_situation,
            )?,
            dependants: u8::try_from(self.dependants).unwrap_or(u8::MAX),
            employment: decode(Employment::from_code(&self.employment), "employment", &self.employment)?,
            employer: self.employer,
            monthly_income: Money::from_cents(self.monthly_income_cents),
            monthly_charges: Money::from_cents(self.monthly_charges_cents),
            deceased_on: self.deceased_on,
            protection: decode(Protection::from_code(&self.protection), "protection", &self.protection)?,
            guardian_name: self.guardian_name,
            guardian_address: self.guardian_address,
            over_indebtedness: decode(
                OverIndebtedness::from_code(&self.over_indebtedness),
                "over_indebtedness",
                &self.over_indebtedness,
            )?,
            ficp_registered: self.ficp_registered,
        };
        Ok((self.id, person))
    }
}

pub(crate) const PERSON_COLUMNS: &str =
    "p.id, p.customer_number, p.last_name, p.first_name, p.birth_date, p.address_line, \
    p.postcode, p.city, p.phone, p.email, p.iban, p.family_situation, p.dependants, p.employment, p.employer, \
    p.monthly_income_cents, p.monthly_charges_cents, p.deceased_on, p.protection, p.guardian_name, \
    p.guardian_address, p.over_indebtedness, p.ficp_registered";

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: i64,
    contract_ref: String,
    nature: String,
    principal_cents: i64,
    contractual_interest_cents: i64,
    statutory_interest_cents: i64,
    costs_cents: i64,
    penalties_cents: i64,
    contractual_rate: Option<String>,
    opened_on: Option<NaiveDate>,
    due_on: NaiveDate,
    first_incident_on: Option<NaiveDate>,
    last_payment_on: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    reference: String,
    debtor_id: i64,
    officer_id: Option<i64>,
    officer_name: Option<String>,
    status: String,
    opened_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    tags: String,
    version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Note {
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseDetail {
    pub id: i64,
    pub reference: String,
    pub status: CaseStatus,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub officer_id: Option<i64>,
    pub officer_name: Option<String>,
    pub tags: Vec<String>,
    /// Sequence number of the last journal event; a change must quote it.
    pub version: i64,
    pub debtor_id: i64,
    pub debtor: Person,
    pub parties: Vec<(PartyRole, i64, Person)>,
    pub claims: Vec<(i64, Claim)>,
    pub guarantees: Vec<Guarantee>,
    pub other_accounts: Vec<OtherAccount>,
    pub notes: Vec<Note>,
    /// What is due now, component by component, derived from the ledger.
    pub breakdown: Breakdown,
    /// Received beyond what was due, owed back to the payer.
    pub overpayment: Money,
    /// Written off so far.
    pub written_off: Money,
    /// Money held in suspense on this case's ledger (normally zero).
    pub suspense: Money,
}

/// A case with everything its page shows of it, in one read snapshot (see [`Tx::case_detail`]).
pub async fn detail(store: &Store, case_id: i64) -> Result<CaseDetail> {
    let mut tx = store.begin_read().await?;
    let detail = tx.case_detail(case_id).await?;
    tx.commit().await?;
    Ok(detail)
}

impl Tx {
    /// A case with its parties, claims, guarantees, the debtor's other accounts, notes and
    /// balances, read inside this transaction (a read transaction gives one consistent snapshot).
    pub async fn case_detail(&mut self, case_id: i64) -> Result<CaseDetail> {
        let case: Option<CaseRow> = query_as(
            "SELECT c.id, c.reference, c.debtor_id, c.officer_id, u.display_name AS officer_name, c.status, \
             c.opened_on, c.closed_on, c.tags, c.version \
             FROM cases c LEFT JOIN users u ON u.id = c.officer_id WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_optional(&mut *self)
        .await?;
        let case = case.ok_or_else(|| StoreError::not_found(format!("dossier n° {case_id}")))?;
        let persons_sql = format!(
            "SELECT cp.role, {PERSON_COLUMNS} FROM case_parties cp JOIN persons p ON p.id = cp.person_id \
             WHERE cp.case_id = $1 ORDER BY cp.role, p.id"
        );
        #[derive(sqlx::FromRow)]
        struct PartyRow {
            role: String,
            #[sqlx(flatten)]
            person: PersonRow,
        }
        /// (kind code, description or account number, amount in cents)
        type CodedAmountRow = (String, String, i64);
        type DetailRows = (Vec<PartyRow>, Vec<ClaimRow>, Vec<CodedAmountRow>, Vec<CodedAmountRow>, Vec<Note>);
        let (party_rows, claim_rows, guarantee_rows, account_rows, notes): DetailRows = {
            let parties = query_as(&persons_sql).bind(case_id).fetch_all(&mut *self).await?;
            let claims = query_as(
                "SELECT id, contract_ref, nature, principal_cents, contractual_interest_cents, statutory_interest_cents, \
                 costs_cents, penalties_cents, contractual_rate, opened_on, due_on, first_incident_on, last_payment_on \
                 FROM claims WHERE case_id = $1 ORDER BY id",
            )
            .bind(case_id)
            .fetch_all(&mut *self)
            .await?;
            let guarantees =
                query_as("SELECT kind, description, amount_cents FROM guarantees WHERE case_id = $1 ORDER BY id")
                    .bind(case_id)
                    .fetch_all(&mut *self)
                    .await?;
            let accounts = query_as(
                "SELECT kind, account_number, balance_cents FROM other_accounts WHERE person_id = $1 ORDER BY id",
            )
            .bind(case.debtor_id)
            .fetch_all(&mut *self)
            .await?;
            let notes = query_as("SELECT author, body, created_at FROM case_notes WHERE case_id = $1 ORDER BY id DESC")
                .bind(case_id)
                .fetch_all(&mut *self)
                .await?;
            (parties, claims, guarantees, accounts, notes)
        };
        let mut debtor = None;
        let mut parties = Vec::new();
        for row in party_rows {
            let role = decode(PartyRole::from_code(&row.role), "role", &row.role)?;
            let (person_id, person) = row.person.into_person()?;
            if role == PartyRole::Debtor && person_id == case.debtor_id {
                debtor = Some(person);
            } else {
                parties.push((role, person_id, person));
            }
        }
        let debtor = debtor.ok_or_else(|| StoreError::Corrupt(format!("dossier {case_id} sans débiteur principal")))?;
        let mut claims = Vec::new();
        for row in claim_rows {
            let amounts = Breakdown {
                principal: Money::from_cents(row.principal_cents),
                contractual_interest: Money::from_cents(row.contractual_interest_cents),
                statutory_interest: Money::from_cents(row.statutory_interest_cents),
                costs: Money::from_cents(row.costs_cents),
                penalties: Money::from_cents(row.penalties_cents),
            };
            claims.push((
                row.id,
                Claim {
                    contract_ref: row.contract_ref,
                    nature: decode(ClaimNature::from_code(&row.nature), "nature", &row.nature)?,
                    amounts,
                    contractual_rate: row.contractual_rate,
                    opened_on: row.opened_on,
                    due_on: row.due_on,
                    first_incident_on: row.first_incident_on,
                    last_payment_on: row.last_payment_on,
                },
            ));
        }
        let guarantees = guarantee_rows
            .into_iter()
            .map(|(kind, description, amount_cents)| {
                Ok(Guarantee {
                    kind: decode(GuaranteeKind::from_code(&kind), "kind", &kind)?,
                    description,
                    amount: Money::from_cents(amount_cents),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let other_accounts = account_rows
            .into_iter()
            .map(|(kind, account_number, balance_cents)| {
                Ok(OtherAccount {
                    kind: decode(AccountKind::from_code(&kind), "kind", &kind)?,
                    account_number,
                    balance: Money::from_cents(balance_cents),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let balances = self.balances(case_id).await?;
        Ok(CaseDetail {
            suspense: balances.suspense(),
            overpayment: -balances.of(recouvre_domain::ledger::Account::Overpayment),
            written_off: balances.written_off(),
            breakdown: balances.due(),
            id: case.id,
            reference: case.reference,
            status: decode(CaseStatus::from_code(&case.status), "status", &case.status)?,
            opened_on: case.opened_on,
            closed_on: case.closed_on,
            officer_id: case.officer_id,
            officer_name: case.officer_name,
            tags: serde_json::from_str(&case.tags)
                .map_err(|error| StoreError::Corrupt(format!("étiquettes : {error}")))?,
            version: case.version,
            debtor_id: case.debtor_id,
            debtor,
            parties,
            claims,
            guarantees,
            other_accounts,
            notes,
        })
    }
}

/// Adds a note to a case, refused if the case changed since `expected_version`.
pub async fn add_note(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    author: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let body = body.trim();
    if body.is_empty() {
        return Err(StoreError::refused(
            "text_required",
            "la note est vide : écrivez quelque chose avant d'enregistrer",
        ));
    }
    let mut tx = store.begin().await?;
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: Some(expected_version),
            kind: EventKind::NoteAdded,
            payload: json!({"body": body}).to_string(),
            actor: author,
            now,
        })
        .await?;
    query("INSERT INTO case_notes (case_id, author, body, created_at) VALUES ($1, $2, $3, $4)")
        .bind(case_id)
        .bind(author)
        .bind(body)
        .bind(now)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(event.sequence)
}

/// Replaces a case's tags.
pub async fn set_tags(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    tags: &[String],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let tags_json = crate::json_text(tags);
    let mut tx = store.begin().await?;
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: Some(expected_version),
            kind: EventKind::TagsChanged,
            payload: json!({"tags": tags}).to_string(),
            actor,
            now,
        })
        .await?;
    query("UPDATE cases SET tags = $2 WHERE id = $1").bind(case_id).bind(&tags_json).execute(&mut tx).await?;
    tx.commit().await?;
    Ok(event.sequence)
}

/// Adds one tag to a case's tags (the bulk action of the list), journaled as the whole new list
/// like `set_tags`; a tag the case has already changes nothing and journals nothing (returns
/// the version as it is). More than `max_tags` tags is refused.
pub async fn add_tag(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    tag: &str,
    max_tags: usize,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let current: Option<(String, i64)> =
        query_as("SELECT tags, version FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut tx).await?;
    let (tags_text, version) = current.ok_or_else(|| StoreError::not_found(format!("dossier n° {case_id}")))?;
    let mut tags: Vec<String> = serde_json::from_str(&tags_text).unwrap_or_default();
    if tags.iter().any(|existing| existing == tag) && version == expected_version {
        return Ok(version);
    }
    if !tags.iter().any(|existing| existing == tag) {
        tags.push(tag.to_string());
    }
    if tags.len() > max_tags {
        return Err(StoreError::refused(
            "too_many_tags",
            format!("{} étiquettes : {max_tags} au plus ; retirez-en une sur le dossier", tags.len()),
        ));
    }
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: Some(expected_version),
            kind: EventKind::TagsChanged,
            payload: json!({"tags": tags}).to_string(),
            actor,
            now,
        })
        .await?;
    query("UPDATE cases SET tags = $2 WHERE id = $1")
        .bind(case_id)
        .bind(crate::json_text(&tags))
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(event.sequence)
}

/// Assigns a case to an officer (or unassigns it with `None`).
pub async fn assign(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    officer: Option<(i64, &str)>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let payload = json!({"officer": officer.map(|(_, login)| login)}).to_string();
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: Some(expected_version),
            kind: EventKind::OfficerAssigned,
            payload,
            actor,
            now,
        })
        .await?;
    query("UPDATE cases SET officer_id = $2 WHERE id = $1")
        .bind(case_id)
        .bind(officer.map(|(id, _)| id))
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(event.sequence)
}

/// The person ids of a case's parties, for the access log.
pub async fn debtor_of(store: &Store, case_id: i64) -> Result<Option<i64>> {
    let id = query_scalar("SELECT debtor_id FROM cases WHERE id = $1").bind(case_id).fetch_optional(store).await?;
    Ok(id)
}

/// Number of cases, for the dashboard and the demo's "reuse the database" check.
pub async fn count(store: &Store) -> Result<i64> {
    let count = query_scalar("SELECT COUNT(*) FROM cases").fetch_one(store).await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_texts_are_classified() {
        assert_eq!(classify_search(" ctx-0000042 "), Some(SearchKind::Reference("CTX-0000042".into())));
        assert_eq!(classify_search("0001 234567X"), Some(SearchKind::Account("0001234567X".into())));
        assert_eq!(classify_search("Lefèvre Hé"), Some(SearchKind::Name("lefevre he".into())));
        assert_eq!(classify_search("   "), None);
    }
}

/// One line of the portfolio overview: a status or a claim nature, its cases and amount due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PortfolioLine {
    pub code: String,
    pub cases: i64,
    pub total_cents: i64,
}

/// Cases and amounts due by status and by main claim nature (aggregates only: no debtor data).
pub async fn portfolio_overview(store: &Store) -> Result<(Vec<PortfolioLine>, Vec<PortfolioLine>)> {
    let by_status = query_as(
        "SELECT status AS code, COUNT(*) AS cases, CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) AS total_cents \
         FROM cases GROUP BY status ORDER BY status",
    )
    .fetch_all(store)
    .await?;
    let by_nature = query_as(
        "SELECT main_nature AS code, COUNT(*) AS cases, CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) AS total_cents \
         FROM cases WHERE status <> 'closed' GROUP BY main_nature ORDER BY main_nature",
    )
    .fetch_all(store)
    .await?;
    Ok((by_status, by_nature))
}
