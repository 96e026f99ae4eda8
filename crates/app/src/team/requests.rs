//! Requests to the bank's other departments about the debtor's other accounts (authorise a
//! debit from savings, watch an account, block a product): sent by an officer from the case,
//! acknowledged then answered by the department. Each step is journaled on the case, so each
//! quotes the case version its author saw.

use recouvre_domain::authority::Permission;
use recouvre_store::team::{DepartmentRequest, DEPARTMENTS, REQUEST_KINDS};

use crate::limits::{self, LONG_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// A request as the officer writes it.
#[derive(Clone, Debug)]
pub struct RequestInput {
    /// `agences`, `epargne`, `credits`, `moyens_paiement` ([`DEPARTMENTS`]).
    pub department: String,
    /// `authorise_debit_from_savings`, `watch_account`, `block_product`, `other` ([`REQUEST_KINDS`]).
    pub kind: String,
    /// What the department should do: account, amount, reason.
    pub body: String,
}

/// A request sent.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SentRequest {
    pub id: i64,
    /// The case's new version.
    pub version: i64,
}

/// Sends a request about `case_id`'s debtor to a department, on the case `version` the officer
/// saw; journaled on the case (`department_request_sent`).
pub async fn send_request(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &RequestInput,
) -> Result<SentRequest> {
    actor.require(Permission::WorkCases)?;
    let department = super::known_code("department", "service inconnu", &input.department, &DEPARTMENTS)?;
    let kind = super::known_code("kind", "type de demande inconnu", &input.kind, &REQUEST_KINDS)?;
    let body = limits::required_text("body", &input.body, LONG_TEXT_CHARS_MAX, true).map_err(|error| {
        if error.code == "required" {
            Error::invalid("body", "required", "la demande est vide : expliquez ce que le service doit faire")
        } else {
            error
        }
    })?;
    let (id, version) = recouvre_store::team::send_request(
        app.store(),
        case_id,
        Some(version),
        &department,
        &kind,
        &body,
        &actor.login,
        app.now(),
    )
    .await?;
    Ok(SentRequest { id, version })
}

/// Requests, newest first (at most 500): the open ones (sent, acknowledged), or all with
/// `include_answered`; of one department or all.
pub async fn department_requests(
    app: &App,
    actor: &Actor,
    department: Option<&str>,
    include_answered: bool,
) -> Result<Vec<DepartmentRequest>> {
    actor.require(Permission::ReadCases)?;
    Ok(recouvre_store::team::requests(app.store(), super::filter(department), include_answered).await?)
}

/// The department acknowledges request `id` (it is being handled), on the case `version` it saw
/// (the request's `case_version`); journaled on the case. Refused if already acknowledged.
pub async fn acknowledge_request(app: &App, actor: &Actor, id: i64, version: i64) -> Result<DepartmentRequest> {
    actor.require(Permission::WorkCases)?;
    Ok(recouvre_store::team::acknowledge(app.store(), id, Some(version), &actor.login, app.now()).await?)
}

/// The department answers request `id` with what it did or why it refuses, on the case `version`
/// it saw; the answer goes on the case's timeline. Refused if already answered.
pub async fn answer_request(
    app: &App,
    actor: &Actor,
    id: i64,
    version: i64,
    answer: &str,
) -> Result<DepartmentRequest> {
    actor.require(Permission::WorkCases)?;
    let answer = limits::required_text("answer", answer, LONG_TEXT_CHARS_MAX, true).map_err(|error| {
        if error.code == "required" {
            Error::invalid(
                "answer",
                "required",
                "la réponse est vide : indiquez ce que le service a fait ou pourquoi il refuse",
            )
        } else {
            error
        }
    })?;
    Ok(recouvre_store::team::answer(app.store(), id, Some(version), &answer, &actor.login, app.now()).await?)
}
