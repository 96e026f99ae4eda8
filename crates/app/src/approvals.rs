//! Four eyes: a decision above its author's delegation waits as an approval request that only
//! someone else, whose level covers it, may decide. The store enforces it whatever the screen
//! shows; this module also says, for each pending request, whether the reader may decide it and
//! why not, with the same rule, so that no screen offers a decision the server refuses.

use recouvre_domain::authority::Permission;
use recouvre_domain::delegation::{decision_of_request, Verdict};
use recouvre_domain::Money;
use recouvre_store::approvals::ApprovalRequest;
use recouvre_store::workflow::WorkflowRules;

use crate::limits::{self, LONG_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// A pending request, and why the reader may not decide it (`None`: they may).
pub struct Pending {
    pub request: ApprovalRequest,
    pub why_not: Option<String>,
    /// The case's reference (`CTX-0000575`), as people name cases.
    pub case_reference: String,
    /// The requester's full name (their login if the store no longer lists them).
    pub requested_by_name: String,
}

/// Why `actor` may not decide `request`, or `None` if they may: nobody decides their own
/// request, and the decider's level must cover it (the authority matrix for plans, waivers and
/// write-offs, through `decision_of_request` as `recouvre_store::approvals::decide` judges it,
/// and in the same words as its refusal).
pub fn why_not(request: &ApprovalRequest, actor: &Actor, rules: &WorkflowRules) -> Option<String> {
    if request.requested_by == actor.login {
        return Some("votre propre demande : un autre responsable doit la valider".to_string());
    }
    let amount = Money::from_cents(request.amount_cents);
    let payload: serde_json::Value = serde_json::from_str(&request.payload).unwrap_or(serde_json::Value::Null);
    match decision_of_request(&request.kind, amount, &payload) {
        Some(decision) => match rules.authority.check(actor.level, &decision) {
            Verdict::Within => None,
            Verdict::Exceeds { reasons, .. } => Some(reasons.join(" ; ")),
        },
        None if actor.level.covers(amount) => None,
        None => Some(format!("votre délégation (niveau {}) ne couvre pas {}", actor.level.0, amount.to_french())),
    }
}

/// Requests waiting for a decision, oldest first, each with whether the reader may decide it.
pub async fn pending(app: &App, actor: &Actor) -> Result<Vec<Pending>> {
    actor.require(Permission::Approve)?;
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    let names: std::collections::BTreeMap<String, String> = recouvre_store::users::list(app.read_store())
        .await?
        .into_iter()
        .map(|user| (user.login, user.display_name))
        .collect();
    let mut pending = Vec::new();
    // The queue is a few requests long: one read of each case for its reference.
    for request in recouvre_store::approvals::pending(app.store()).await? {
        let why_not = why_not(&request, actor, &rules);
        let case_reference = recouvre_store::cases::detail(app.read_store(), request.case_id).await?.reference;
        let requested_by_name =
            names.get(&request.requested_by).cloned().unwrap_or_else(|| request.requested_by.clone());
        pending.push(Pending { request, why_not, case_reference, requested_by_name });
    }
    Ok(pending)
}

/// Approves (`approve`) or refuses a request. Never by its requester; only within the
/// decider's delegation; a refusal needs a reason.
pub async fn decide(app: &App, actor: &Actor, request_id: i64, approve: bool, reason: &str) -> Result<ApprovalRequest> {
    actor.require(Permission::Approve)?;
    let reason = limits::text("reason", reason, LONG_TEXT_CHARS_MAX, true)?;
    let request = recouvre_store::approvals::by_id(app.store(), request_id).await?;
    if request.requested_by == actor.login {
        return Err(Error::new(
            crate::ErrorKind::Forbidden,
            "own_request",
            "vous ne pouvez pas décider de votre propre demande : un autre responsable doit la valider",
        ));
    }
    if !approve && reason.is_empty() {
        return Err(Error::invalid("reason", "required", "indiquez le motif du refus"));
    }
    if approve && request.kind == "payment_plan" {
        // A plan cannot start in the past (issue 18): one approved after its first instalment's
        // day would put the debtor in default on the day it is agreed.
        let proposal: serde_json::Value = serde_json::from_str(&request.payload).unwrap_or_default();
        let first_due = proposal["instalments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|line| line["due_on"].as_str()?.parse::<chrono::NaiveDate>().ok())
            .min();
        if let Some(first_due) = first_due {
            if first_due < app.today() {
                return Err(Error::invalid(
                    "instalments",
                    "date_in_past",
                    format!(
                        "instalments : la première échéance du {} est déjà passée ; refusez cette demande et \
                         faites proposer un nouvel échéancier commençant à une date à venir",
                        first_due.format("%d/%m/%Y")
                    ),
                ));
            }
        }
    }
    Ok(recouvre_store::approvals::decide(app.store(), request_id, approve, &reason, actor.store_actor(), app.now())
        .await?)
}
