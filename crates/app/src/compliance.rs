//! Compliance (LCB-FT, CMF L561-1 and following): the queue of alerts the vigilance rules
//! raised on payments, the decisions on an alert (closing it, a suspicious activity report to
//! TRACFIN, telling the officers the case is under review, what becomes of held money), the
//! report's export and the month's figures. Compliance only: alerts never reach the officers,
//! the case journal or letters (no tipping-off, CMF L561-18).

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_store::sanctions::LoadedList;

use crate::limits::{self, LONG_TEXT_CHARS_MAX, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

pub use recouvre_store::aml::{
    AlertRow, Closing, FundsDecision, FundsOutcome, MonthlyReport, RuleSetRow, TreasuryAuthorisation,
};

/// Alerts not yet closed or reported, highest score first.
pub async fn open_alerts(app: &App, actor: &Actor) -> Result<Vec<AlertRow>> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::aml::open_alerts(app.store()).await?)
}

/// One alert.
pub async fn alert(app: &App, actor: &Actor, id: i64) -> Result<AlertRow> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::aml::alert(app.store(), id).await?)
}

/// A month of vigilance (`AAAA-MM`): alerts by rule and outcome, time to decision, reports
/// filed. Compliance's own: even without a name, a count of alerts and reports tells a team
/// lead or a committee member of a small portfolio that a case is under review (CMF L561-18;
/// the tipping-off suite, tests/tipping_off.rs); compliance gives the committees its figures.
pub async fn monthly_report(app: &App, actor: &Actor, month: &str) -> Result<MonthlyReport> {
    actor.require(Permission::ReviewAml)?;
    let month = crate::committee::month(month)?;
    limits::any_date("month", month.first_day(), app.today())?;
    Ok(recouvre_store::aml::monthly_report(app.read_store(), &month.code()).await?)
}

/// Compliance's page: the queue, held money, a month's figures, the sanctions list in force.
#[derive(Clone, Debug)]
pub struct ComplianceQueue {
    /// Open alerts, highest score first.
    pub alerts: Vec<AlertRow>,
    /// Decided alerts whose held money waits for release or return.
    pub held: Vec<AlertRow>,
    pub today: NaiveDate,
    /// The month of `report` (`AAAA-MM`).
    pub month: String,
    pub report: MonthlyReport,
    pub sanctions: Option<LoadedList>,
}

/// Compliance's page, with the figures of `month` (default: the current month).
pub async fn queue(app: &App, actor: &Actor, month: Option<&str>) -> Result<ComplianceQueue> {
    actor.require(Permission::ReviewAml)?;
    let today = app.today();
    let month = match month.map(str::trim).filter(|month| !month.is_empty()) {
        Some(month) => month.to_string(),
        None => today.format("%Y-%m").to_string(),
    };
    let report = monthly_report(app, actor, &month).await?;
    Ok(ComplianceQueue {
        alerts: recouvre_store::aml::open_alerts(app.store()).await?,
        held: recouvre_store::aml::held_awaiting_decision(app.store()).await?,
        today,
        month: report.month.clone(),
        report,
        sanctions: crate::sanctions::latest(app, actor).await?,
    })
}

/// Closes an alert with a reason. At or above the rules' high score, a second member of
/// compliance must confirm: the first closing only proposes it (four eyes).
pub async fn close_alert(app: &App, actor: &Actor, id: i64, reason: &str) -> Result<Closing> {
    actor.require(Permission::ReviewAml)?;
    let reason = limits::required_text("reason", reason, LONG_TEXT_CHARS_MAX, true).map_err(|error| {
        if error.code == "required" {
            Error::invalid("reason", "required", "indiquez le motif du classement")
        } else {
            error
        }
    })?;
    let rules = recouvre_store::aml::rules(app.store()).await?;
    Ok(recouvre_store::aml::close(app.store(), id, &reason, rules.high_score, &actor.login, app.now()).await?)
}

/// Records that a suspicious activity report (déclaration de soupçon, CMF L561-15) was filed
/// under `reference` on `filed_on` (default: today; never in the future).
pub async fn report_alert(
    app: &App,
    actor: &Actor,
    id: i64,
    reference: &str,
    filed_on: Option<NaiveDate>,
) -> Result<()> {
    actor.require(Permission::ReviewAml)?;
    let reference = limits::required_text("reference", reference, SHORT_TEXT_CHARS_MAX, false).map_err(|error| {
        if error.code == "required" {
            Error::invalid("reference", "required", "indiquez la référence de la déclaration")
        } else {
            error
        }
    })?;
    let today = app.today();
    let filed_on = limits::past_date("filed_on", filed_on.unwrap_or(today), today)?;
    Ok(recouvre_store::aml::file_report(app.store(), id, &reference, filed_on, &actor.login, app.now()).await?)
}

/// Lets the officers see that the case is under review (they then contact compliance before
/// acting), or hides it again.
pub async fn set_visibility(app: &App, actor: &Actor, id: i64, visible_to_officers: bool) -> Result<()> {
    actor.require(Permission::ReviewAml)?;
    recouvre_store::aml::alert(app.store(), id).await?;
    Ok(recouvre_store::aml::set_visibility(app.store(), id, visible_to_officers, &actor.login, app.now()).await?)
}

/// The actor takes an open alert in charge.
pub async fn take_alert(app: &App, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::aml::assign(app.store(), id, &actor.login, &actor.login, app.now()).await?)
}

/// The decision on held money written `release` or `return`.
pub fn funds_decision(code: &str) -> Result<FundsDecision> {
    match code.trim() {
        "release" => Ok(FundsDecision::Release),
        "return" => Ok(FundsDecision::Return),
        other => Err(Error::invalid(
            "decision",
            "unknown_code",
            format!("décision « {other} » inconnue : attendu release ou return"),
        )),
    }
}

/// Decides what becomes of held money, once the alert itself is decided: released to its
/// case, or returned to the payer. Frozen funds (asset-freeze match, CMF L562-4) need a
/// recorded Treasury authorisation and two members of compliance, unless two of them closed the
/// alert as a false positive.
pub async fn decide_funds(app: &App, actor: &Actor, id: i64, decision: FundsDecision) -> Result<FundsOutcome> {
    actor.require(Permission::ReviewAml)?;
    let rules = recouvre_store::aml::rules(app.store()).await?;
    let hold_days = rules.report_hold_working_days;
    Ok(recouvre_store::aml::decide_funds(app.store(), id, decision, hold_days, &actor.login, app.now()).await?)
}

/// Records TRACFIN's opposition to a reported operation (CMF L561-24), notified on
/// `notified_on` (not in the future): the money is blocked ten jours ouvrables from it, or until
/// `extended_until`, the date a judge's extension gives. Returns the last day blocked.
pub async fn record_opposition(
    app: &App,
    actor: &Actor,
    id: i64,
    notified_on: Option<NaiveDate>,
    extended_until: Option<NaiveDate>,
) -> Result<NaiveDate> {
    actor.require(Permission::ReviewAml)?;
    let Some(notified_on) = notified_on else {
        return Err(Error::invalid("notified_on", "required", "indiquez la date de la notification de TRACFIN"));
    };
    let notified_on = limits::past_date("notified_on", notified_on, app.today())?;
    if let Some(until) = extended_until {
        if until < notified_on {
            return Err(Error::invalid(
                "extended_until",
                "before_notice",
                "la prorogation ne peut finir avant la notification : vérifiez la date de l'ordonnance",
            ));
        }
    }
    Ok(recouvre_store::aml::record_opposition(app.store(), id, notified_on, extended_until, &actor.login, app.now())
        .await?)
}

/// A Treasury (DG Trésor) authorisation to release frozen funds, as typed by compliance.
#[derive(Clone, Debug, Default)]
pub struct AuthorisationInput {
    pub reference: String,
    pub granted_on: Option<NaiveDate>,
    pub scope: String,
    pub document: String,
}

/// Records the Treasury's authorisation to release an alert's frozen funds (CMF L562-11):
/// its reference, date, scope and the document received. Returns its id.
pub async fn record_authorisation(app: &App, actor: &Actor, id: i64, input: &AuthorisationInput) -> Result<i64> {
    actor.require(Permission::ReviewAml)?;
    let required = |field: &'static str, value: &str, max: usize, what: &str| {
        limits::required_text(field, value, max, false).map_err(|error| {
            if error.code == "required" {
                Error::invalid(field, "required", format!("indiquez {what} de l'autorisation du Trésor"))
            } else {
                error
            }
        })
    };
    let reference = required("reference", &input.reference, SHORT_TEXT_CHARS_MAX, "la référence")?;
    let scope = required("scope", &input.scope, LONG_TEXT_CHARS_MAX, "le périmètre (montant, opérations)")?;
    let document = required("document", &input.document, SHORT_TEXT_CHARS_MAX, "le document reçu")?;
    let Some(granted_on) = input.granted_on else {
        return Err(Error::invalid("granted_on", "required", "indiquez la date de l'autorisation du Trésor"));
    };
    let granted_on = limits::past_date("granted_on", granted_on, app.today())?;
    let authorisation =
        recouvre_store::aml::NewAuthorisation { reference: &reference, granted_on, scope: &scope, document: &document };
    Ok(recouvre_store::aml::record_authorisation(app.store(), id, authorisation, &actor.login, app.now()).await?)
}

/// The declaration of frozen funds to the Treasury (amount, person, list entry, date).
pub async fn freeze_declaration(app: &App, actor: &Actor, id: i64) -> Result<serde_json::Value> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::aml::freeze_declaration(app.store(), id).await?)
}

/// The versions of the vigilance rules, latest first: compliance only (no other role learns
/// what is watched).
pub async fn rule_sets(app: &App, actor: &Actor) -> Result<Vec<RuleSetRow>> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::aml::rule_sets(app.store()).await?)
}

/// Proposes a version of the vigilance rules (TOML, the layout of
/// `crates/domain/data/aml_rules.toml`), validated; another member of compliance confirms it.
pub async fn propose_rules(app: &App, actor: &Actor, text: &str) -> Result<i64> {
    actor.require(Permission::ReviewAml)?;
    let text = text.trim();
    recouvre_domain::aml::AmlRules::from_toml(text)
        .map_err(|error| Error::invalid("rules", "invalid_rules", error.to_string()))?;
    Ok(recouvre_store::aml::propose_rules(app.store(), text, &actor.login, app.now()).await?)
}

/// Confirms a proposed version of the rules: in force for the next payments.
pub async fn confirm_rules(app: &App, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::aml::confirm_rules(app.store(), id, &actor.login, app.now()).await?)
}

/// The content of a suspicious activity report, for the bank's reporting tool
/// (docs/formats/sar-json.md).
pub async fn export_report(app: &App, actor: &Actor, id: i64) -> Result<serde_json::Value> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::aml::report_export(app.store(), id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funds_decisions_are_release_or_return() {
        assert_eq!(funds_decision("release").unwrap(), FundsDecision::Release);
        assert_eq!(funds_decision(" return ").unwrap(), FundsDecision::Return);
        let error = funds_decision("keep").unwrap_err();
        assert_eq!((error.http_status(), error.field.as_deref()), (400, Some("decision")));
    }
}
