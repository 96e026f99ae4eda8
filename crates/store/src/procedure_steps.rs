//! Procedure steps on a case (issue 4; moved out of `workflow`): the step applied to the case's
//! procedure of its kind, in one transaction with the deadlines it opens and closes, the case's
//! status and the journal event `procedure_step`. The facts it is judged in are the workflow's one
//! procedure context (`Tx::case_procedures`).

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::costs;
use recouvre_domain::journal::EventKind;
use recouvre_domain::procedure::{self, PendingDeadline, ProcedureKind, RefusalReason, State, Step, StepInput};
use recouvre_domain::vat::InvoiceAmounts;
use recouvre_domain::Money;
use serde_json::json;

use crate::actor::Actor;
use crate::costs::NewCost;
use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::workflow::{current_version, reevaluate, CaseProcedures, WorkflowRules};
use crate::{Result, Store, StoreError};

/// A step on a procedure of a case: the kind, the step, its date and what the officer gives.
#[derive(Debug, Clone)]
pub struct StepRequest {
    pub kind: ProcedureKind,
    pub step: Step,
    pub on: NaiveDate,
    pub input: StepInput,
    pub third_party_id: Option<i64>,
    /// The invoice of the costs the step carries (`input.costs`), as far as it is known.
    pub invoice: StepInvoice,
}

/// The invoice behind a step's costs. Without a reference, the step names it (its procedure and
/// journal event); without a date, the act's; without bank details, the third party's own.
#[derive(Debug, Clone, Default)]
pub struct StepInvoice {
    pub reference: Option<String>,
    pub date: Option<NaiveDate>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// The invoice's amounts when it states VAT (`input.costs` is then its amount excluding VAT);
    /// without them, or for other costs than `input.costs`, the costs are outside VAT.
    pub amounts: Option<InvoiceAmounts>,
}

/// The case status a procedure puts the case in.
fn status_for(kind: ProcedureKind, to: State) -> Option<&'static str> {
    if to.suspends_enforcement() {
        return Some("suspended");
    }
    Some(match kind {
        ProcedureKind::Amicable | ProcedureKind::GuarantorCall => "amicable",
        ProcedureKind::PaymentOrder => "judicial",
        ProcedureKind::EnforcementWage
        | ProcedureKind::EnforcementBank
        | ProcedureKind::EnforcementGoods
        | ProcedureKind::EnforcementProperty => "enforcement",
        ProcedureKind::Agency => "agency",
        ProcedureKind::Estate => "estate",
        ProcedureKind::OverIndebtedness => return None,
    })
}

/// The strategy's planned actions (codes of `data/strategy_rules.toml`) a procedure step carries out.
fn planned_actions_done_by(step: Step) -> &'static [&'static str] {
    match step {
        Step::SendFormalNotice => &["send_formal_notice"],
        Step::PrepareRequest => &["prepare_payment_order"],
        Step::FileRequest => &["prepare_payment_order", "file_payment_order"],
        Step::PlaceWithAgency => &["place_with_agency"],
        Step::NotifyGuarantor => &["notify_guarantor"],
        Step::DeclareClaimToNotary => &["identify_notary", "declare_to_estate"],
        Step::ServeBankSeizure => &["mandate_bailiff_bank"],
        Step::ServeWageCommand => &["mandate_bailiff_wage"],
        _ => &[],
    }
}

/// Applies a step to the case's procedure of that kind (the open one, or a new one for a first
/// step), in one transaction: the new state, the deadlines it opens and closes in the agenda, the
/// suspension of enforcement deadlines while an over-indebtedness file is admissible, the case's
/// status, and the journal event `procedure_step`. An impossible step is refused with the
/// domain's message (why, and what is possible).
pub async fn apply_step(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    request: &StepRequest,
    rules: &WorkflowRules,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<(procedure::Transition, i64)> {
    let kind_code = request.kind.code();
    let mut tx = store.begin().await?;
    // The one procedure context: the same facts the case page and the API offer steps from.
    let CaseProcedures { facts, rows } = tx.case_procedures(case_id).await?;
    if let Some(third_party_id) = request.third_party_id {
        let known: Option<i64> = query_scalar("SELECT id FROM third_parties WHERE id = $1")
            .bind(third_party_id)
            .fetch_optional(&mut tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::refused(
                "unknown_third_party",
                format!("intervenant n° {third_party_id} inconnu : choisissez-le dans l'annuaire des tiers"),
            ));
        }
    }
    let current = rows.iter().rev().find(|row| row.kind == kind_code && !row.closed).cloned();
    // An act cannot predate the step it follows: the procedure's last step (`updated_on`).
    if let Some(last) = current.as_ref().map(|row| row.updated_on).filter(|last| request.on < *last) {
        let day = |date: NaiveDate| date.format("%d/%m/%Y").to_string();
        let message =
            format!("on : le {} est avant l'étape qu'il suit, du {} ; vérifiez la date", day(request.on), day(last));
        return Err(StoreError::invalid_field("on", message));
    }
    let open: Vec<(String, NaiveDate)> = match &current {
        Some(row) => {
            query_as(
                "SELECT code, due_on FROM agenda_items WHERE procedure_id = $1 AND kind = 'deadline' AND status IN ('open', 'suspended')",
            )
            .bind(row.id)
            .fetch_all(&mut tx)
            .await?
        }
        None => Vec::new(),
    };
    let open_deadlines = open
        .iter()
        .filter_map(|(code, due)| {
            procedure::DeadlineKind::from_code(code).map(|kind| PendingDeadline { kind, due: *due })
        })
        .collect();
    let context = facts.step_context(&rules.procedure, open_deadlines, request.input.clone());
    let state = current.as_ref().and_then(|row| State::from_code(&row.state));
    let transition = procedure::apply(request.kind, state, request.step, request.on, &context).map_err(|error| {
        let code = match error.reason {
            RefusalReason::EnforcementSuspended => "enforcement_suspended",
            _ => "step_not_allowed",
        };
        StoreError::refused(code, error.message)
    })?;
    // The step's costs go through the costs path (`costs`): payable to the third party who
    // acted, charged to the debtor as their nature says, above the delegation for approval.
    let costs = transition.costs.filter(|costs| costs.is_positive());
    let payee = request.third_party_id.or_else(|| current.as_ref().and_then(|row| row.third_party_id));
    if costs.is_some() && payee.is_none() {
        return Err(StoreError::invalid_field(
            "third_party_id",
            "des frais sont payés à l'intervenant qui les a facturés : indiquez le commissaire de justice, l'avocat ou le tiers",
        ));
    }
    let recovered = transition.amount.unwrap_or(Money::ZERO).cents();
    let procedure_id: i64 = match &current {
        Some(row) => {
            query(
                "UPDATE procedures SET state = $2, updated_on = $3, \
                 recovered_cents = recovered_cents + $4, closed = $5, third_party_id = COALESCE($6, third_party_id) WHERE id = $1",
            )
            .bind(row.id)
            .bind(transition.to.code())
            .bind(request.on)
            .bind(recovered)
            .bind(transition.finished)
            .bind(request.third_party_id)
            .execute(&mut tx)
            .await?;
            row.id
        }
        None => {
            query_scalar(
                "INSERT INTO procedures (case_id, kind, state, started_on, updated_on, third_party_id, costs_cents, \
                 recovered_cents, closed, created_by, created_at) VALUES ($1, $2, $3, $4, $4, $5, 0, $6, $7, $8, $9) RETURNING id",
            )
            .bind(case_id)
            .bind(kind_code)
            .bind(transition.to.code())
            .bind(request.on)
            .bind(request.third_party_id)
            .bind(recovered)
            .bind(transition.finished)
            .bind(actor.login)
            .bind(now)
            .fetch_one(&mut tx)
            .await?
        }
    };
    for closed in &transition.closes {
        query(
            "UPDATE agenda_items SET status = 'done', closed_at = $3 WHERE procedure_id = $1 AND code = $2 AND status IN ('open', 'suspended')",
        )
        .bind(procedure_id)
        .bind(closed.code())
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    if transition.finished {
        query(
            "UPDATE agenda_items SET status = 'done', closed_at = $2 WHERE procedure_id = $1 AND status IN ('open', 'suspended')",
        )
        .bind(procedure_id)
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    // The step carries out what the recommendation planned: its action leaves the agenda.
    let actions_done = planned_actions_done_by(request.step);
    for code in actions_done {
        query(
            "UPDATE agenda_items SET status = 'done', closed_at = $3 WHERE case_id = $1 AND kind = 'action' AND code = $2 AND status = 'open'",
        )
        .bind(case_id)
        .bind(*code)
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    for deadline in &transition.opens {
        query(
            "INSERT INTO agenda_items (case_id, procedure_id, kind, code, label, due_on, nominal_on, legal_basis, warn_days, status, created_at) \
             VALUES ($1, $2, 'deadline', $3, $4, $5, $6, $7, $8, 'open', $9)",
        )
        .bind(case_id)
        .bind(procedure_id)
        .bind(deadline.kind.code())
        .bind(&deadline.label)
        .bind(deadline.due)
        .bind(deadline.nominal)
        .bind(&deadline.legal_basis)
        .bind(i64::from(deadline.warn_days_before))
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    // C. consom. L722-2: while the file is admissible, seizures are suspended and their
    // deadlines frozen; they run again when the suspension is lifted.
    let enforcement_kinds = "('enforcement_wage', 'enforcement_bank', 'enforcement_goods', 'enforcement_property')";
    if transition.suspends_enforcement {
        query(format!(
            "UPDATE agenda_items SET status = 'suspended' WHERE status = 'open' AND procedure_id IN \
             (SELECT id FROM procedures WHERE case_id = $1 AND kind IN {enforcement_kinds})"
        ))
        .bind(case_id)
        .execute(&mut tx)
        .await?;
    }
    if transition.lifts_suspension {
        query(format!(
            "UPDATE agenda_items SET status = 'open' WHERE status = 'suspended' AND procedure_id IN \
             (SELECT id FROM procedures WHERE case_id = $1 AND kind IN {enforcement_kinds})"
        ))
        .bind(case_id)
        .execute(&mut tx)
        .await?;
    }
    if let Some(status) = status_for(request.kind, transition.to) {
        if !transition.finished || transition.suspends_enforcement {
            query("UPDATE cases SET status = $2 WHERE id = $1 AND status <> 'closed'")
                .bind(case_id)
                .bind(status)
                .execute(&mut tx)
                .await?;
        }
    } else if transition.lifts_suspension {
        query("UPDATE cases SET status = 'amicable' WHERE id = $1 AND status = 'suspended'")
            .bind(case_id)
            .execute(&mut tx)
            .await?;
    }
    let payload = json!({
        "procedure_id": procedure_id, "kind": kind_code, "step": transition.step.code(),
        "from": transition.from.map(State::code), "to": transition.to.code(), "on": request.on,
        "opens": transition.opens.iter().map(|deadline| json!({
            "code": deadline.kind.code(), "label": deadline.label, "due": deadline.due,
            "nominal": deadline.nominal, "extended": deadline.extended, "legal_basis": deadline.legal_basis,
        })).collect::<Vec<_>>(),
        "closes": transition.closes.iter().map(|kind| kind.code()).collect::<Vec<_>>(),
        "documents": transition.documents.iter().map(|document| document.code()).collect::<Vec<_>>(),
        "costs": transition.costs, "amount": transition.amount, "addressed_to_guardian": transition.addressed_to_guardian,
        "notes": transition.notes, "third_party_id": request.third_party_id,
    });
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version,
            kind: EventKind::ProcedureStep,
            payload: payload.to_string(),
            actor: actor.login,
            now,
        })
        .await?;
    // After the step's event: the months booked at a rate the enforceability changes are
    // corrected by events of their own (CMF L313-3).
    let enforceable = crate::interest::enforceable_on(request.kind, request.step, &open, request.on);
    tx.record_enforceable_on(case_id, enforceable, actor.login, now).await?;
    // A formal notice recorded after the months it starts the statutory interest of were booked
    // (C. civ. 1231-6, 1344-1): those months are corrected the same way.
    if request.step == Step::SendFormalNotice {
        tx.correct_booked_interest(case_id, None, "formal_notice", actor.login, now).await?;
    }
    if let (Some(amount), Some(third_party_id)) = (costs, payee) {
        let reference = request.invoice.reference.clone().unwrap_or_else(|| {
            format!(
                "{} du {} (procédure n° {procedure_id}, événement n° {})",
                transition.step.label(),
                request.on.format("%d/%m/%Y"),
                event.sequence
            )
        });
        let cost = NewCost {
            case_id,
            procedure_id: Some(procedure_id),
            nature: costs::nature_of_step(request.kind),
            third_party_id,
            invoice_reference: reference,
            invoice_date: request.invoice.date.unwrap_or(request.on),
            amounts: request
                .invoice
                .amounts
                .clone()
                .filter(|amounts| amounts.excluding_vat == amount)
                .unwrap_or_else(|| InvoiceAmounts::outside_vat(amount)),
            awarded: None,
            awarded_on: None,
            iban: request.invoice.iban.clone(),
            bic: request.invoice.bic.clone(),
        };
        tx.record_cost(None, &cost, &rules.authority, actor, now).await?;
    }
    tx.commit().await?;
    let outcome = (transition, event.sequence);
    // Facts changed: the engine re-evaluates.
    reevaluate(store, case_id, rules, actor.login, now).await?;
    let version = current_version(store, case_id).await?;
    Ok((outcome.0, version))
}
