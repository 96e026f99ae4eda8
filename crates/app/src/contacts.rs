//! Contacts with the debtor and promises to pay (issue 17, part 4), and the officer's own actions
//! on a case's agenda (part 5): what, when, for whom — themselves or a colleague — moved or done.
//!
//! A contact is an act: dated today or a past day, never in the future. A promise and an action
//! are planned: due today or later, within the planning window (`limits`). The nightly run judges
//! the promises (`recouvre_store::contacts::follow_promises`, called by `batch::nightly_run`).

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_domain::vocabulary::{self, Family};
use recouvre_domain::Money;

use crate::limits::{self, LONG_TEXT_CHARS_MAX, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

pub use recouvre_store::contacts::{ContactRow, PromiseFollowUp};

/// The channels of a contact, as the API names them.
pub const CHANNELS: &[&str] = &["phone", "email", "letter", "visit", "sms"];
/// Who made the contact: the debtor (`inbound`) or us (`outbound`).
pub const DIRECTIONS: &[&str] = &["inbound", "outbound"];

/// A promise to pay made during a contact.
#[derive(Clone, Debug)]
pub struct PromiseInput {
    /// The amount as typed (`150.00`, `150,00`).
    pub amount: String,
    pub due_on: NaiveDate,
}

/// A contact with the debtor.
#[derive(Clone, Debug)]
pub struct ContactInput {
    pub channel: String,
    pub direction: String,
    pub summary: String,
    /// The day of the contact; `None`: today.
    pub on: Option<NaiveDate>,
    pub promise: Option<PromiseInput>,
}

/// A contact recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactOutcome {
    pub id: i64,
    pub version: i64,
}

/// `code` if it is one of `codes`, else a 400 naming `field` and listing the choices in French.
fn one_of(field: &str, code: &str, codes: &[&'static str], family: Family) -> Result<&'static str> {
    let code = code.trim();
    codes.iter().copied().find(|known| *known == code).ok_or_else(|| {
        let choices: Vec<String> =
            codes.iter().map(|known| format!("{known} ({})", vocabulary::label(family, known))).collect();
        Error::invalid(
            field,
            "unknown_code",
            format!("{field} : « {code} » inconnu ; choisissez parmi {}", choices.join(", ")),
        )
    })
}

/// Records a contact with the debtor (and the promise to pay made in it) on the version of the
/// case the officer saw.
pub async fn record_contact(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &ContactInput,
) -> Result<ContactOutcome> {
    actor.require(Permission::WorkCases)?;
    let today = app.today();
    let channel = one_of("channel", &input.channel, CHANNELS, Family::ContactChannel)?;
    let direction = one_of("direction", &input.direction, DIRECTIONS, Family::ContactDirection)?;
    let summary = limits::required_text("summary", &input.summary, LONG_TEXT_CHARS_MAX, true)?;
    // A contact is an act: it has happened, today or before (never in the future).
    let on = limits::past_date("on", input.on.unwrap_or(today), today)?;
    let promise = match &input.promise {
        None => None,
        Some(promise) => {
            let amount = limits::parse_amount("promise.amount", &promise.amount)?;
            let amount = limits::positive_amount("promise.amount", amount)?;
            // A promise is planned: due today or later, within the planning window.
            let due_on = limits::planned_date("promise.due_on", promise.due_on, today)?;
            Some((amount, due_on))
        }
    };
    let contact = recouvre_store::contacts::NewContact { channel, direction, summary: &summary, on, promise };
    let (id, version) =
        recouvre_store::contacts::record_contact(app.store(), case_id, version, &contact, &actor.login, app.now())
            .await?;
    Ok(ContactOutcome { id, version })
}

/// A case's contacts, newest first (the debtor's file: the consultation is logged).
pub async fn contacts(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<Vec<ContactRow>> {
    actor.require(Permission::ReadCases)?;
    crate::access::record_case_read(app, actor, case_id, path, crate::purpose::Purpose::CaseFile).await?;
    Ok(recouvre_store::contacts::contacts(app.read_store(), case_id).await?)
}

/// The amount of a promise, for screens.
pub fn promise_amount(contact: &ContactRow) -> Option<Money> {
    contact.promise_amount_cents.map(Money::from_cents)
}

// ---------------------------------------------------------------------------------------------
// The officer's own actions

/// An action an officer puts on a case's agenda.
#[derive(Clone, Debug)]
pub struct ActionInput {
    pub due_on: NaiveDate,
    pub label: String,
    /// The login of the user who will do it; `None`: the author.
    pub assignee: Option<String>,
}

/// An action planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionOutcome {
    pub id: i64,
    pub version: i64,
}

/// Puts an action on a case's agenda, for the author or a colleague who works cases (an active
/// officer or team lead); it appears on that person's agenda.
pub async fn plan_action(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &ActionInput,
) -> Result<ActionOutcome> {
    actor.require(Permission::WorkCases)?;
    let today = app.today();
    let due_on = limits::planned_date("due_on", input.due_on, today)?;
    let label = limits::required_text("label", &input.label, SHORT_TEXT_CHARS_MAX, false)?;
    let assignee = match input.assignee.as_deref().map(str::trim).filter(|login| !login.is_empty()) {
        Some(login) => {
            let user = recouvre_store::users::by_login(app.store(), login)
                .await?
                .filter(|user| user.active && user.role.allows(Permission::WorkCases))
                .ok_or_else(|| {
                    Error::invalid(
                        "assignee",
                        "unknown_user",
                        format!(
                            "assignee : « {login} » n'est pas un utilisateur actif qui traite les dossiers ; \
                             choisissez un gestionnaire de la liste"
                        ),
                    )
                })?;
            Some((user.id, user.login))
        }
        None => actor.user_id.map(|id| (id, actor.login.clone())),
    };
    let (id, version) = recouvre_store::contacts::plan_action(
        app.store(),
        case_id,
        version,
        due_on,
        &label,
        assignee.as_ref().map(|(id, login)| (*id, login.as_str())),
        &actor.login,
        app.now(),
    )
    .await?;
    Ok(ActionOutcome { id, version })
}

/// Moves an open action of the agenda to another day (today or later), on the version of its case
/// the officer saw; returns the case's new version. Legal deadlines are not moved: they are the
/// law's.
pub async fn move_action(app: &App, actor: &Actor, item_id: i64, version: i64, due_on: NaiveDate) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let due_on = limits::planned_date("due_on", due_on, app.today())?;
    Ok(recouvre_store::contacts::move_action(app.store(), item_id, version, due_on, &actor.login, app.now()).await?)
}
