//! The team around the cases (issue 4, items 7, 8 and 10): distribution of the incoming cases
//! among the officers (round robin or balanced by open workload, with specialties), absence
//! cover, requests to the bank's other departments, and the directory of third parties
//! (bailiffs, lawyers, agencies, notaries, courts, guardians).
//!
//! Every change to a case (an assignment, a request sent or answered) appends its journal event
//! in the same transaction as its effect.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::journal::EventKind;
use serde::Serialize;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::{Result, Store, StoreError};

// ---------------------------------------------------------------------------------------------
// Specialties and distribution

/// Specialties an officer may have, with their French labels.
pub const SPECIALTIES: [(&str, &str); 3] =
    [("estates", "Successions"), ("protected_adults", "Majeurs protégés"), ("large_amounts", "Gros montants")];

/// Above this amount (50 000 €), a case goes to an officer with the `large_amounts` specialty.
pub const LARGE_AMOUNT_CENTS: i64 = 5_000_000;

pub fn specialty_label(code: &str) -> &str {
    SPECIALTIES.iter().find(|(known, _)| *known == code).map_or(code, |(_, label)| label)
}

/// How the incoming cases are shared out.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Each officer in turn.
    RoundRobin,
    /// To the officer with the fewest open cases.
    Balanced,
}

impl Method {
    pub fn code(self) -> &'static str {
        match self {
            Method::RoundRobin => "round_robin",
            Method::Balanced => "balanced",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::RoundRobin => "Tour de rôle",
            Method::Balanced => "Équilibrage par charge",
        }
    }

    pub fn from_code(code: &str) -> Option<Method> {
        match code {
            "round_robin" => Some(Method::RoundRobin),
            "balanced" => Some(Method::Balanced),
            _ => None,
        }
    }
}

/// An incoming case waiting for an officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct QueueCase {
    pub id: i64,
    pub reference: String,
    pub last_name: String,
    pub first_name: String,
    pub status: String,
    pub total_cents: i64,
    pub opened_on: NaiveDate,
    pub deceased_on: Option<NaiveDate>,
    pub protection: String,
}

impl QueueCase {
    pub fn debtor_name(&self) -> String {
        format!("{} {}", self.last_name.to_uppercase(), self.first_name)
    }

    /// The specialty this case calls for, and why (in French), if any.
    pub fn needed_specialty(&self) -> Option<(&'static str, &'static str)> {
        needed_specialty(self.deceased_on.is_some(), self.protection != "none", self.total_cents)
    }
}

/// Which specialty a case calls for: a deceased debtor first, then a protected adult, then a
/// large amount.
pub fn needed_specialty(deceased: bool, protected: bool, total_cents: i64) -> Option<(&'static str, &'static str)> {
    if deceased {
        Some(("estates", "débiteur décédé"))
    } else if protected {
        Some(("protected_adults", "majeur protégé"))
    } else if total_cents > LARGE_AMOUNT_CENTS {
        Some(("large_amounts", "montant supérieur à 50 000 €"))
    } else {
        None
    }
}

const QUEUE_SQL: &str = "SELECT c.id, c.reference, p.last_name, p.first_name, c.status, c.total_cents, c.opened_on, \
     p.deceased_on, p.protection FROM cases c JOIN persons p ON p.id = c.debtor_id \
     WHERE c.officer_id IS NULL AND c.status <> 'closed' ORDER BY c.opened_on, c.id LIMIT $1";

/// The open cases without an officer, oldest first (at most `limit`).
pub async fn unassigned(store: &Store, limit: i64) -> Result<Vec<QueueCase>> {
    let rows = query_as(QUEUE_SQL).bind(limit).fetch_all(store).await?;
    Ok(rows)
}

/// How many open cases wait for an officer.
pub async fn unassigned_count(store: &Store) -> Result<i64> {
    let count = query_scalar("SELECT COUNT(*) FROM cases WHERE officer_id IS NULL AND status <> 'closed'")
        .fetch_one(store)
        .await?;
    Ok(count)
}

/// An officer of the team, with their open workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamOfficer {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub specialties: Vec<String>,
    pub open_cases: i64,
    pub open_cents: i64,
    /// Open agenda items due within the warning horizon (or overdue) on their cases.
    pub deadlines_at_risk: i64,
    /// Who covers them today, if they are absent.
    pub covered_by: Option<String>,
}

impl TeamOfficer {
    pub fn has(&self, specialty: &str) -> bool {
        self.specialties.iter().any(|known| known == specialty)
    }
}

fn split_specialties(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|code| !code.is_empty()).map(str::to_string).collect()
}

/// The active officers (role `officer`), by login, with their open cases and amounts, the
/// deadlines at risk on their cases (open agenda items due by `risk_until`), and who covers
/// them on `today`.
pub async fn officers(store: &Store, today: NaiveDate, risk_until: NaiveDate) -> Result<Vec<TeamOfficer>> {
    type Row = (i64, String, String, String, i64, i64);
    /// Officers, (officer id, deadlines at risk), (absent login, cover login).
    type Rows = (Vec<Row>, Vec<(i64, i64)>, Vec<(String, String)>);
    let (rows, risks, covers): Rows = {
        let rows = query_as(
            "SELECT u.id, u.login, u.display_name, u.specialties, COUNT(c.id), \
             CAST(COALESCE(SUM(c.total_cents), 0) AS BIGINT) FROM users u \
             LEFT JOIN cases c ON c.officer_id = u.id AND c.status <> 'closed' \
             WHERE u.role = 'officer' AND u.active = TRUE \
             GROUP BY u.id, u.login, u.display_name, u.specialties ORDER BY u.login",
        )
        .fetch_all(store)
        .await?;
        let risks = query_as(
            "SELECT c.officer_id, COUNT(*) FROM agenda_items a JOIN cases c ON c.id = a.case_id \
             WHERE a.status = 'open' AND a.due_on <= $1 AND c.officer_id IS NOT NULL GROUP BY c.officer_id",
        )
        .bind(risk_until)
        .fetch_all(store)
        .await?;
        let covers = query_as(
            "SELECT officer_login, cover_login FROM absences WHERE starts_on <= $1 AND ends_on >= $1 ORDER BY id",
        )
        .bind(today)
        .fetch_all(store)
        .await?;
        (rows, risks, covers)
    };
    let risks: HashMap<i64, i64> = risks.into_iter().collect();
    let covers: HashMap<String, String> = covers.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|(id, login, display_name, specialties, open_cases, open_cents)| TeamOfficer {
            id,
            covered_by: covers.get(&login).cloned(),
            deadlines_at_risk: risks.get(&id).copied().unwrap_or(0),
            login,
            display_name,
            specialties: split_specialties(&specialties),
            open_cases,
            open_cents,
        })
        .collect())
}

/// One assignment decided by a distribution run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub case_id: i64,
    pub reference: String,
    pub officer_id: i64,
    pub officer_login: String,
    pub reason: String,
}

/// Picks an officer for each case, in order. Pure: `officers` are the candidates (present,
/// active), with their current open workload; `last_login` is who received the last
/// round-robin assignment (the turn goes on after them). Returns, for each case, the index of
/// the chosen officer and the reason.
pub fn plan(
    cases: &[QueueCase],
    officers: &[TeamOfficer],
    method: Method,
    last_login: Option<&str>,
) -> Vec<(usize, String)> {
    if officers.is_empty() {
        return Vec::new();
    }
    let mut load: Vec<i64> = officers.iter().map(|officer| officer.open_cases).collect();
    // Round robin: one cursor over all officers; each pick takes the next eligible officer.
    let mut cursor = last_login
        .and_then(|login| officers.iter().position(|officer| officer.login == login))
        .map_or(0, |at| (at + 1) % officers.len());
    let mut picks = Vec::with_capacity(cases.len());
    for case in cases {
        let special =
            case.needed_specialty().filter(|(specialty, _)| officers.iter().any(|officer| officer.has(specialty)));
        let eligible = |index: usize| special.is_none_or(|(specialty, _)| officers[index].has(specialty));
        // Invariant: `officers` is not empty (checked above), and a specialty is only required
        // when some officer has it (`special`), so at least one officer is eligible.
        #[allow(clippy::expect_used)]
        let chosen = match method {
            Method::RoundRobin => {
                let offset = (0..officers.len())
                    .find(|offset| eligible((cursor + offset) % officers.len()))
                    .expect("at least one eligible officer");
                let chosen = (cursor + offset) % officers.len();
                cursor = (chosen + 1) % officers.len();
                chosen
            }
            Method::Balanced => (0..officers.len())
                .filter(|&index| eligible(index))
                .min_by_key(|&index| (load[index], index))
                .expect("at least one eligible officer"),
        };
        let mut reason = match method {
            Method::RoundRobin => "tour de rôle".to_string(),
            Method::Balanced => format!("charge la plus faible ({} dossiers ouverts)", load[chosen]),
        };
        if let Some((specialty, why)) = special {
            reason = format!("{why} : gestionnaire spécialisé « {} » ; {reason}", specialty_label(specialty));
        } else if let Some((_, why)) = case.needed_specialty() {
            reason = format!("{why}, mais aucun gestionnaire spécialisé présent ; {reason}");
        }
        load[chosen] += 1;
        picks.push((chosen, reason));
    }
    picks
}

/// What a distribution run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distribution {
    pub method: Method,
    pub assigned: Vec<Assignment>,
    /// Cases assigned by someone else while the run was going on.
    pub skipped: usize,
    /// Unassigned open cases left (beyond `limit`).
    pub remaining: i64,
}

/// Distributes up to `limit` unassigned open cases among the active officers present on `today`
/// (an absent officer receives nothing). Each assignment is its own transaction: the case's
/// `officer_id` is set only if still empty, with a `case_assigned` journal event (officer login,
/// method, reason).
pub async fn distribute(
    store: &Store,
    method: Method,
    limit: i64,
    today: NaiveDate,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Distribution> {
    let present: Vec<TeamOfficer> =
        officers(store, today, today).await?.into_iter().filter(|officer| officer.covered_by.is_none()).collect();
    if present.is_empty() {
        return Err(StoreError::refused("no_officer_available", 
            "aucun gestionnaire actif et présent aujourd'hui : créez un gestionnaire ou enregistrez la fin d'une absence"
                .to_string(),
        ));
    }
    let cases = unassigned(store, limit).await?;
    let last_login: Option<String> = if method == Method::RoundRobin {
        let payload: Option<String> =
            query_scalar("SELECT payload FROM case_events WHERE kind = 'case_assigned' ORDER BY id DESC LIMIT 1")
                .fetch_optional(store)
                .await?;
        payload
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|value| value.get("officer").and_then(|officer| officer.as_str()).map(str::to_string))
    } else {
        None
    };
    let picks = plan(&cases, &present, method, last_login.as_deref());
    let mut assigned = Vec::with_capacity(picks.len());
    let mut skipped = 0;
    for (case, (index, reason)) in cases.iter().zip(picks) {
        let officer = &present[index];
        let payload = json!({"officer": officer.login, "method": method.code(), "reason": reason}).to_string();
        let mut tx = store.begin().await?;
        let updated =
            query("UPDATE cases SET officer_id = $2 WHERE id = $1 AND officer_id IS NULL AND status <> 'closed'")
                .bind(case.id)
                .bind(officer.id)
                .execute(&mut tx)
                .await?
                .rows_affected();
        let done: bool = if updated == 1 {
            tx.append_event(CaseEvent {
                case_id: case.id,
                expected_version: None,
                kind: EventKind::CaseAssigned,
                payload,
                actor,
                now,
            })
            .await?;
            tx.commit().await?;
            true
        } else {
            tx.rollback().await?;
            false
        };
        if done {
            assigned.push(Assignment {
                case_id: case.id,
                reference: case.reference.clone(),
                officer_id: officer.id,
                officer_login: officer.login.clone(),
                reason,
            });
        } else {
            skipped += 1;
        }
    }
    let remaining = unassigned_count(store).await?;
    Ok(Distribution { method, assigned, skipped, remaining })
}

/// Replaces an officer's specialties (codes from [`SPECIALTIES`]).
pub async fn set_specialties(store: &Store, login: &str, specialties: &[String]) -> Result<Vec<String>> {
    let mut codes: Vec<String> = Vec::new();
    for code in specialties {
        let code = code.trim();
        if !SPECIALTIES.iter().any(|(known, _)| *known == code) {
            return Err(StoreError::refused(
                "unknown_specialty",
                format!("spécialité inconnue « {code} » : choisissez parmi estates, protected_adults, large_amounts"),
            ));
        }
        if !codes.iter().any(|known| known == code) {
            codes.push(code.to_string());
        }
    }
    let updated = query("UPDATE users SET specialties = $2 WHERE login = $1 AND role IN ('officer', 'team_lead')")
        .bind(login)
        .bind(codes.join(","))
        .execute(store)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(StoreError::not_found(format!("gestionnaire « {login} »")));
    }
    Ok(codes)
}

// ---------------------------------------------------------------------------------------------
// Absences

/// An officer's absence and who covers their agenda meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Absence {
    pub id: i64,
    pub officer_login: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub cover_login: String,
    pub created_by: String,
}

/// Records an absence: `cover` handles `officer`'s agenda from `starts_on` to `ends_on`
/// (inclusive). Refused if the cover is the officer, the dates are reversed, either is not an
/// active officer, or the cover is absent themselves during the period.
pub async fn record_absence(
    store: &Store,
    officer: &str,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    cover: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    if officer == cover {
        return Err(StoreError::refused(
            "self_cover",
            format!("{officer} ne peut pas se remplacer lui-même : choisissez un autre gestionnaire"),
        ));
    }
    if ends_on < starts_on {
        return Err(StoreError::refused(
            "absence_dates_reversed",
            format!(
                "la fin de l'absence ({}) précède son début ({}) : corrigez les dates",
                ends_on.format("%d/%m/%Y"),
                starts_on.format("%d/%m/%Y")
            ),
        ));
    }
    for login in [officer, cover] {
        let known: Option<i64> = query_scalar(
            "SELECT id FROM users WHERE login = $1 AND active = TRUE AND role IN ('officer', 'team_lead')",
        )
        .bind(login)
        .fetch_optional(store)
        .await?;
        if known.is_none() {
            return Err(StoreError::refused(
                "not_an_active_officer",
                format!("« {login} » n'est pas un gestionnaire actif : choisissez un gestionnaire de l'équipe"),
            ));
        }
    }
    let cover_absent: Option<i64> =
        query_scalar("SELECT id FROM absences WHERE officer_login = $1 AND starts_on <= $3 AND ends_on >= $2 LIMIT 1")
            .bind(cover)
            .bind(starts_on)
            .bind(ends_on)
            .fetch_optional(store)
            .await?;
    if cover_absent.is_some() {
        return Err(StoreError::refused(
            "cover_absent",
            format!("{cover} est lui-même absent pendant cette période : choisissez un autre remplaçant"),
        ));
    }
    let id = query_scalar(
        "INSERT INTO absences (officer_login, starts_on, ends_on, cover_login, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(officer)
    .bind(starts_on)
    .bind(ends_on)
    .bind(cover)
    .bind(actor)
    .bind(now)
    .fetch_one(store)
    .await?;
    Ok(id)
}

/// Absences not over by `from`, soonest first.
pub async fn absences(store: &Store, from: NaiveDate) -> Result<Vec<Absence>> {
    let rows = query_as(
        "SELECT id, officer_login, starts_on, ends_on, cover_login, created_by FROM absences \
         WHERE ends_on >= $1 ORDER BY starts_on, id",
    )
    .bind(from)
    .fetch_all(store)
    .await?;
    Ok(rows)
}

/// The user ids of the officers whose agenda `login` covers on `on` (they are absent that day).
pub async fn covered_officers(store: &Store, login: &str, on: NaiveDate) -> Result<Vec<i64>> {
    let ids = query_scalar(
        "SELECT DISTINCT u.id FROM absences a JOIN users u ON u.login = a.officer_login \
         WHERE a.cover_login = $1 AND a.starts_on <= $2 AND a.ends_on >= $2 ORDER BY u.id",
    )
    .bind(login)
    .bind(on)
    .fetch_all(store)
    .await?;
    Ok(ids)
}

/// Open cases and amounts per officer and status (for the team view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StatusLine {
    pub officer_login: Option<String>,
    pub status: String,
    pub cases: i64,
    pub total_cents: i64,
}

/// Open cases per officer (`None`: unassigned) and status.
pub async fn cases_by_officer_and_status(store: &Store) -> Result<Vec<StatusLine>> {
    let rows = query_as(
        "SELECT u.login AS officer_login, c.status, COUNT(*) AS cases, \
         CAST(COALESCE(SUM(c.total_cents), 0) AS BIGINT) AS total_cents \
         FROM cases c LEFT JOIN users u ON u.id = c.officer_id WHERE c.status <> 'closed' \
         GROUP BY u.login, c.status ORDER BY u.login, c.status",
    )
    .fetch_all(store)
    .await?;
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Requests to other departments

/// The bank's departments a recovery officer may write to.
pub const DEPARTMENTS: [(&str, &str); 4] = [
    ("agences", "Réseau d'agences"),
    ("epargne", "Épargne"),
    ("credits", "Crédits"),
    ("moyens_paiement", "Moyens de paiement"),
];

/// What may be asked of them.
pub const REQUEST_KINDS: [(&str, &str); 4] = [
    ("authorise_debit_from_savings", "Autoriser un prélèvement sur un compte d'épargne"),
    ("watch_account", "Surveiller un compte"),
    ("block_product", "Bloquer un produit"),
    ("other", "Autre demande"),
];

pub fn department_label(code: &str) -> &str {
    DEPARTMENTS.iter().find(|(known, _)| *known == code).map_or(code, |(_, label)| label)
}

pub fn request_kind_label(code: &str) -> &str {
    REQUEST_KINDS.iter().find(|(known, _)| *known == code).map_or(code, |(_, label)| label)
}

pub fn request_status_label(code: &str) -> &str {
    match code {
        "sent" => "Envoyée",
        "acknowledged" => "Prise en compte",
        "answered" => "Répondue",
        other => other,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DepartmentRequest {
    pub id: i64,
    pub case_id: i64,
    pub case_reference: String,
    /// The case's version now: quote it to acknowledge or answer the request.
    pub case_version: i64,
    pub department: String,
    pub kind: String,
    pub body: String,
    /// `sent`, `acknowledged`, `answered`.
    pub status: String,
    pub answer: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub handled_by: Option<String>,
    pub handled_at: Option<DateTime<Utc>>,
}

const REQUEST_COLUMNS: &str =
    "r.id, r.case_id, c.reference AS case_reference, c.version AS case_version, r.department, r.kind, r.body, \
     r.status, r.answer, r.created_by, r.created_at, r.handled_by, r.handled_at";

/// An officer sends a request about the debtor's other accounts to a department; journaled on
/// the case (`department_request_sent`). `expected_version` is the case version the officer
/// saw, if any. Returns the request id and the case's new version.
#[allow(clippy::too_many_arguments)]
pub async fn send_request(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    department: &str,
    kind: &str,
    body: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(i64, i64)> {
    if !DEPARTMENTS.iter().any(|(code, _)| *code == department) {
        return Err(StoreError::refused(
            "unknown_department",
            format!("service inconnu « {department} » : choisissez agences, epargne, credits ou moyens_paiement"),
        ));
    }
    if !REQUEST_KINDS.iter().any(|(code, _)| *code == kind) {
        return Err(StoreError::refused("unknown_request_kind", format!(
            "type de demande inconnu « {kind} » : choisissez authorise_debit_from_savings, watch_account, block_product ou other"
        )));
    }
    let body = body.trim();
    if body.is_empty() {
        return Err(StoreError::refused(
            "text_required",
            "la demande est vide : expliquez ce que le service doit faire",
        ));
    }
    let mut tx = store.begin().await?;
    let exists: Option<i64> =
        query_scalar("SELECT id FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut tx).await?;
    if exists.is_none() {
        return Err(StoreError::not_found(format!("dossier n° {case_id}")));
    }
    let request_id: i64 = query_scalar(
        "INSERT INTO department_requests (case_id, department, kind, body, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'sent', $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(department)
    .bind(kind)
    .bind(body)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut tx)
    .await?;
    let payload = json!({"request": request_id, "department": department, "kind": kind, "body": body}).to_string();
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version,
            kind: EventKind::DepartmentRequestSent,
            payload,
            actor,
            now,
        })
        .await?;
    tx.commit().await?;
    Ok((request_id, event.sequence))
}

/// Requests, newest first: those still open (`sent`, `acknowledged`) unless `include_answered`,
/// of one department or all.
pub async fn requests(
    store: &Store,
    department: Option<&str>,
    include_answered: bool,
) -> Result<Vec<DepartmentRequest>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM department_requests r JOIN cases c ON c.id = r.case_id \
         WHERE (CAST($1 AS TEXT) IS NULL OR r.department = CAST($1 AS TEXT)) \
         AND ($2 OR r.status <> 'answered') ORDER BY r.id DESC LIMIT 500"
    );
    let rows = query_as(&sql).bind(department).bind(include_answered).fetch_all(store).await?;
    Ok(rows)
}

/// Requests sent about one case, newest first.
pub async fn requests_of_case(store: &Store, case_id: i64) -> Result<Vec<DepartmentRequest>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM department_requests r JOIN cases c ON c.id = r.case_id \
         WHERE r.case_id = $1 ORDER BY r.id DESC"
    );
    let rows = query_as(&sql).bind(case_id).fetch_all(store).await?;
    Ok(rows)
}

pub async fn request(store: &Store, id: i64) -> Result<DepartmentRequest> {
    let sql =
        format!("SELECT {REQUEST_COLUMNS} FROM department_requests r JOIN cases c ON c.id = r.case_id WHERE r.id = $1");
    let row: Option<DepartmentRequest> = query_as(&sql).bind(id).fetch_optional(store).await?;
    row.ok_or_else(|| StoreError::not_found(format!("demande n° {id} au service")))
}

/// The department acknowledges a request (it is being handled); journaled on the case
/// (`department_request_acknowledged`). `expected_version` is the case version the department
/// saw, if any.
pub async fn acknowledge(
    store: &Store,
    id: i64,
    expected_version: Option<i64>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<DepartmentRequest> {
    let mut tx = store.begin().await?;
    let claimed: Option<(i64, String, String)> = query_as(
        "UPDATE department_requests SET status = 'acknowledged', handled_by = $2, handled_at = $3 \
         WHERE id = $1 AND status = 'sent' RETURNING case_id, department, kind",
    )
    .bind(id)
    .bind(actor)
    .bind(now)
    .fetch_optional(&mut tx)
    .await?;
    let Some((case_id, department, kind)) = claimed else {
        tx.rollback().await?;
        let current = request(store, id).await?;
        return Err(StoreError::conflict(
            "already_decided",
            format!(
                "la demande n° {id} est déjà « {} » : rechargez la file du service",
                request_status_label(&current.status)
            ),
        ));
    };
    let payload = json!({"request": id, "department": department, "kind": kind}).to_string();
    tx.append_event(CaseEvent {
        case_id,
        expected_version,
        kind: EventKind::DepartmentRequestAcknowledged,
        payload,
        actor,
        now,
    })
    .await?;
    tx.commit().await?;
    request(store, id).await
}

/// The department answers a request with its outcome; journaled on the case
/// (`department_request_answered`, with the answer). `expected_version` is the case version the
/// department saw, if any.
pub async fn answer(
    store: &Store,
    id: i64,
    expected_version: Option<i64>,
    text: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<DepartmentRequest> {
    let text = text.trim();
    if text.is_empty() {
        return Err(StoreError::refused(
            "text_required",
            "la réponse est vide : indiquez ce que le service a fait ou pourquoi il refuse".to_string(),
        ));
    }
    let mut tx = store.begin().await?;
    let claimed: Option<(i64, String, String)> = query_as(
        "UPDATE department_requests SET status = 'answered', answer = $2, handled_by = $3, handled_at = $4 \
         WHERE id = $1 AND status IN ('sent', 'acknowledged') RETURNING case_id, department, kind",
    )
    .bind(id)
    .bind(text)
    .bind(actor)
    .bind(now)
    .fetch_optional(&mut tx)
    .await?;
    let Some((case_id, department, kind)) = claimed else {
        tx.rollback().await?;
        request(store, id).await?;
        return Err(StoreError::conflict(
            "already_decided",
            format!("la demande n° {id} a déjà reçu une réponse : rechargez la file du service"),
        ));
    };
    let payload = json!({"request": id, "department": department, "kind": kind, "answer": text}).to_string();
    tx.append_event(CaseEvent {
        case_id,
        expected_version,
        kind: EventKind::DepartmentRequestAnswered,
        payload,
        actor,
        now,
    })
    .await?;
    tx.commit().await?;
    request(store, id).await
}

// ---------------------------------------------------------------------------------------------
// Third parties

/// Kinds of third parties the procedures name.
pub const THIRD_PARTY_KINDS: [(&str, &str); 6] = [
    ("commissaire_de_justice", "Commissaire de justice"),
    ("lawyer", "Avocat"),
    ("agency", "Agence de recouvrement"),
    ("notary", "Notaire"),
    ("court", "Juridiction"),
    ("guardian", "Mandataire de protection (tuteur, curateur)"),
];

pub fn third_party_kind_label(code: &str) -> &str {
    THIRD_PARTY_KINDS.iter().find(|(known, _)| *known == code).map_or(code, |(_, label)| label)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ThirdParty {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub address: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub jurisdiction: Option<String>,
    pub fee_terms: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct NewThirdParty {
    pub kind: String,
    pub name: String,
    pub address: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub jurisdiction: Option<String>,
    pub fee_terms: Option<String>,
}

fn non_empty(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|text| !text.is_empty())
}

/// Adds a third party to the directory.
pub async fn create_third_party(store: &Store, party: &NewThirdParty, now: DateTime<Utc>) -> Result<i64> {
    if !THIRD_PARTY_KINDS.iter().any(|(code, _)| *code == party.kind) {
        return Err(StoreError::refused("unknown_third_party_kind", format!(
            "type de tiers inconnu « {} » : choisissez commissaire_de_justice, lawyer, agency, notary, court ou guardian",
            party.kind
        )));
    }
    let (name, address) = (party.name.trim(), party.address.trim());
    if name.is_empty() || address.is_empty() {
        return Err(StoreError::refused("name_and_address_required", "le nom et l'adresse du tiers sont obligatoires"));
    }
    if let Some(email) = non_empty(&party.email) {
        if !email.contains('@') {
            return Err(StoreError::refused(
                "invalid_email",
                format!("« {email} » n'est pas une adresse électronique"),
            ));
        }
    }
    let id = query_scalar(
        "INSERT INTO third_parties (kind, name, address, email, phone, jurisdiction, fee_terms, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&party.kind)
    .bind(name)
    .bind(address)
    .bind(non_empty(&party.email))
    .bind(non_empty(&party.phone))
    .bind(non_empty(&party.jurisdiction))
    .bind(non_empty(&party.fee_terms))
    .bind(now)
    .fetch_one(store)
    .await?;
    Ok(id)
}

const THIRD_PARTY_COLUMNS: &str = "id, kind, name, address, email, phone, jurisdiction, fee_terms, created_at";

/// The directory, by kind then name (of one kind, or all).
pub async fn third_parties(store: &Store, kind: Option<&str>) -> Result<Vec<ThirdParty>> {
    let sql = format!(
        "SELECT {THIRD_PARTY_COLUMNS} FROM third_parties \
         WHERE (CAST($1 AS TEXT) IS NULL OR kind = CAST($1 AS TEXT)) ORDER BY kind, name, id"
    );
    let rows = query_as(&sql).bind(kind).fetch_all(store).await?;
    Ok(rows)
}

pub async fn third_party(store: &Store, id: i64) -> Result<ThirdParty> {
    let sql = format!("SELECT {THIRD_PARTY_COLUMNS} FROM third_parties WHERE id = $1");
    let row: Option<ThirdParty> = query_as(&sql).bind(id).fetch_optional(store).await?;
    row.ok_or_else(|| StoreError::not_found(format!("tiers n° {id}")))
}

/// A procedure a third party is involved in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Involvement {
    pub procedure_id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub kind: String,
    pub state: String,
    pub started_on: NaiveDate,
    pub recovered_cents: i64,
    pub costs_cents: i64,
}

/// A third party's results, per procedure state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StateResult {
    pub state: String,
    pub procedures: i64,
    pub recovered_cents: i64,
    pub costs_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThirdPartyResults {
    pub procedures: i64,
    pub cases: i64,
    pub recovered_cents: i64,
    pub costs_cents: i64,
    pub by_state: Vec<StateResult>,
}

/// The procedures a third party is involved in (newest first, at most 500) and its results.
pub async fn involvement(store: &Store, id: i64) -> Result<(Vec<Involvement>, ThirdPartyResults)> {
    let (procedures, by_state, cases): (Vec<Involvement>, Vec<StateResult>, i64) = {
        let procedures = query_as(
            "SELECT p.id AS procedure_id, p.case_id, c.reference AS case_reference, p.kind, p.state, p.started_on, \
             p.recovered_cents, p.costs_cents FROM procedures p JOIN cases c ON c.id = p.case_id \
             WHERE p.third_party_id = $1 ORDER BY p.started_on DESC, p.id DESC LIMIT 500",
        )
        .bind(id)
        .fetch_all(store)
        .await?;
        let by_state = query_as(
            "SELECT state, COUNT(*) AS procedures, CAST(COALESCE(SUM(recovered_cents), 0) AS BIGINT) AS recovered_cents, \
             CAST(COALESCE(SUM(costs_cents), 0) AS BIGINT) AS costs_cents \
             FROM procedures WHERE third_party_id = $1 GROUP BY state ORDER BY state",
        )
        .bind(id)
        .fetch_all(store)
        .await?;
        let cases = query_scalar("SELECT COUNT(DISTINCT case_id) FROM procedures WHERE third_party_id = $1")
            .bind(id)
            .fetch_one(store)
            .await?;
        (procedures, by_state, cases)
    };
    let results = ThirdPartyResults {
        procedures: by_state.iter().map(|line| line.procedures).sum(),
        cases,
        recovered_cents: by_state.iter().map(|line| line.recovered_cents).sum(),
        costs_cents: by_state.iter().map(|line| line.costs_cents).sum(),
        by_state,
    };
    Ok((procedures, results))
}

/// Fills an empty directory with fictitious but realistic third parties (the demo). Returns how
/// many were added (0 if the directory already had entries).
pub async fn seed_directory(store: &Store, now: DateTime<Utc>) -> Result<usize> {
    let existing: i64 = query_scalar("SELECT COUNT(*) FROM third_parties").fetch_one(store).await?;
    if existing > 0 {
        return Ok(0);
    }
    let entry = |kind: &str, name: &str, address: &str, email: &str, phone: &str, jurisdiction: &str, fees: &str| {
        NewThirdParty {
            kind: kind.to_string(),
            name: name.to_string(),
            address: address.to_string(),
            email: Some(email.to_string()),
            phone: Some(phone.to_string()),
            jurisdiction: Some(jurisdiction.to_string()),
            fee_terms: Some(fees.to_string()),
        }
    };
    let entries = [
        entry(
            "commissaire_de_justice",
            "SCP Berthier & Rocher, commissaires de justice associés",
            "14 quai Saint-Antoine, 69002 Lyon",
            "etude@berthier-rocher.example",
            "04 78 00 12 34",
            "Cour d'appel de Lyon (Rhône)",
            "Tarif réglementé (A444-10 C. com.) ; droit proportionnel A444-31 à la charge du débiteur",
        ),
        entry(
            "commissaire_de_justice",
            "Maître Sophie Vannier, commissaire de justice",
            "3 rue de la République, 38000 Grenoble",
            "contact@vannier-cj.example",
            "04 76 00 45 67",
            "Cour d'appel de Grenoble (Isère)",
            "Tarif réglementé ; avance de frais facturée mensuellement",
        ),
        entry(
            "lawyer",
            "Maître Antoine Delorme, avocat au barreau de Lyon",
            "27 rue Servient, 69003 Lyon",
            "a.delorme@avocat-delorme.example",
            "04 72 00 98 76",
            "Barreau de Lyon",
            "Forfait 650 € HT par injonction de payer ; honoraires de résultat 5 %",
        ),
        entry(
            "agency",
            "Rhône Recouvrement SAS",
            "110 cours Lafayette, 69003 Lyon",
            "mandats@rhone-recouvrement.example",
            "04 37 00 22 11",
            "France entière",
            "Commission de 12 % HT sur les sommes recouvrées ; mandat de 6 mois",
        ),
        entry(
            "agency",
            "Créances Sud-Est",
            "8 avenue du Prado, 13006 Marseille",
            "contact@creances-sud-est.example",
            "04 91 00 33 44",
            "Sud-Est (régions AURA, PACA)",
            "Commission de 15 % HT ; aucun frais en cas d'échec",
        ),
        entry(
            "notary",
            "Office notarial Garnier-Pelletier",
            "5 place Bellecour, 69002 Lyon",
            "successions@garnier-pelletier.example",
            "04 78 00 56 78",
            "Rhône",
            "Émoluments réglementés ; déclaration de créance sans frais pour le créancier",
        ),
        entry(
            "court",
            "Tribunal judiciaire de Lyon",
            "67 rue Servient, 69003 Lyon",
            "greffe.tj-lyon@justice.example",
            "04 72 00 70 00",
            "Ressort du tribunal judiciaire de Lyon",
            "Injonction de payer : pas de droit de greffe devant le TJ ; signification à la charge du débiteur",
        ),
        entry(
            "guardian",
            "UDAF du Rhône — service des mandataires judiciaires",
            "12 rue Mollet, 69006 Lyon",
            "mjpm@udaf69.example",
            "04 72 00 81 81",
            "Rhône",
            "Sans frais pour le créancier ; courriers au mandataire uniquement",
        ),
    ];
    for party in &entries {
        create_third_party(store, party, now).await?;
    }
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: i64, deceased: bool, protection: &str, total_cents: i64) -> QueueCase {
        QueueCase {
            id,
            reference: format!("CTX-{id:07}"),
            last_name: "Martin".into(),
            first_name: "Anne".into(),
            status: "new".into(),
            total_cents,
            opened_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            deceased_on: deceased.then(|| NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()),
            protection: protection.into(),
        }
    }

    fn officer(id: i64, login: &str, open_cases: i64, specialties: &[&str]) -> TeamOfficer {
        TeamOfficer {
            id,
            login: login.into(),
            display_name: login.into(),
            specialties: specialties.iter().map(|code| code.to_string()).collect(),
            open_cases,
            open_cents: 0,
            deadlines_at_risk: 0,
            covered_by: None,
        }
    }

    #[test]
    fn round_robin_goes_on_after_the_last_officer() {
        let officers = [officer(1, "a", 0, &[]), officer(2, "b", 0, &[]), officer(3, "c", 0, &[])];
        let cases: Vec<_> = (1..=4).map(|id| case(id, false, "none", 1000)).collect();
        let picks: Vec<usize> =
            plan(&cases, &officers, Method::RoundRobin, Some("b")).into_iter().map(|p| p.0).collect();
        assert_eq!(picks, vec![2, 0, 1, 2]);
    }

    #[test]
    fn balanced_fills_the_lightest_first() {
        let officers = [officer(1, "a", 3, &[]), officer(2, "b", 1, &[])];
        let cases: Vec<_> = (1..=3).map(|id| case(id, false, "none", 1000)).collect();
        let picks: Vec<usize> = plan(&cases, &officers, Method::Balanced, None).into_iter().map(|p| p.0).collect();
        assert_eq!(picks, vec![1, 1, 0]);
    }

    #[test]
    fn specialties_win_when_someone_has_them() {
        let officers = [officer(1, "a", 0, &[]), officer(2, "b", 5, &["estates", "large_amounts"])];
        let cases = [case(1, true, "none", 1000), case(2, false, "none", 6_000_000), case(3, false, "tutelle", 10)];
        let picks = plan(&cases, &officers, Method::Balanced, None);
        assert_eq!(picks[0].0, 1);
        assert!(picks[0].1.contains("décédé"), "{}", picks[0].1);
        assert_eq!(picks[1].0, 1);
        // Nobody has protected adults: the general rule applies, and the reason says so.
        assert_eq!(picks[2].0, 0);
        assert!(picks[2].1.contains("aucun gestionnaire spécialisé"), "{}", picks[2].1);
    }
}
