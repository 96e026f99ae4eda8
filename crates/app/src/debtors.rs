//! The debtor's file, maintained (issue 17): read a person's file, correct it, record their
//! situation. Shared by the API (`/api/v1/debtors/…`) and the debtor's page.
//!
//! A correction is a JSON object of the fields of the case's `debtor` object to change (absent:
//! unchanged; `null`: cleared), with the person's `version` and a `reason`; every value is
//! checked before anything is written, and the first bad one is refused naming its `field`.
//! Postcodes and communes are checked against the reference of French communes
//! (`recouvre_domain::debtor_file::communes`).

use chrono::{Datelike, NaiveDate};
use recouvre_domain::authority::Permission;
use recouvre_domain::case::{Employment, FamilySituation, Protection};
use recouvre_domain::debtor_file::{
    self, Civility, EstateOption, OverIndebtednessStage, ProtectionMeasure, SituationKind,
};
use recouvre_domain::Money;
use recouvre_store::debtors::{Author, Editable, Estate, NewSituation, SituationEffect};
use serde_json::{json, Map, Value};

use crate::limits::{self, LONG_TEXT_CHARS_MAX, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

pub use recouvre_store::debtors::{
    DebtorFile, FieldChange, IntakeDifference, PastAddress, PersonCase, SituationRecord, SituationRecorded,
};

/// Phones and e-mails a person may have on file.
pub const CONTACTS_MAX: usize = 10;

/// A person's file. Reading it is logged in the access log, like a case file.
pub async fn debtor_file(app: &App, actor: &Actor, customer_number: &str, path: &str) -> Result<DebtorFile> {
    actor.require(Permission::ReadCases)?;
    let file = recouvre_store::debtors::file(app.store(), customer_number).await?;
    crate::access::record(app, actor, None, Some(file.person_id), path.to_string(), crate::purpose::Purpose::CaseFile)
        .await?;
    Ok(file)
}

/// What the debtor's page shows: the file, and the full name of each user (people are named,
/// not logged).
#[derive(Clone, Debug)]
pub struct DebtorPageFile {
    pub file: DebtorFile,
    pub names: std::collections::BTreeMap<String, String>,
}

/// The debtor's page: their file (the consultation logged) and the users' names.
pub async fn debtor_page(app: &App, actor: &Actor, customer_number: &str, path: &str) -> Result<DebtorPageFile> {
    let file = debtor_file(app, actor, customer_number, path).await?;
    let names = recouvre_store::users::list(app.read_store())
        .await?
        .into_iter()
        .map(|user| (user.login, user.display_name))
        .collect();
    Ok(DebtorPageFile { file, names })
}

/// The fields of the case's `debtor` object that only a situation changes.
const SITUATION_FIELDS: [&str; 6] =
    ["deceased_on", "protection", "guardian_name", "guardian_address", "over_indebtedness", "ficp_registered"];

fn invalid(field: &str, code: &'static str, message: String) -> Error {
    Error::invalid(field, code, message)
}

fn expect_text<'v>(field: &str, value: &'v Value) -> Result<&'v str> {
    value.as_str().ok_or_else(|| invalid(field, "invalid_input", format!("{field} : un texte est attendu")))
}

fn required_line(field: &str, value: &Value) -> Result<String> {
    limits::required_text(field, expect_text(field, value)?, SHORT_TEXT_CHARS_MAX, false)
}

fn optional_line(field: &str, value: &Value) -> Result<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    Ok(Some(limits::text(field, expect_text(field, value)?, SHORT_TEXT_CHARS_MAX, false)?).filter(|t| !t.is_empty()))
}

fn date(field: &str, value: &Value) -> Result<NaiveDate> {
    let text = expect_text(field, value)?;
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        invalid(field, "invalid_date", format!("{field} : « {text} » n'est pas une date (AAAA-MM-JJ) qui existe"))
    })
}

fn code<T>(field: &str, value: &Value, from_code: fn(&str) -> Option<T>, known: &[&str]) -> Result<T> {
    let text = expect_text(field, value)?;
    from_code(text).ok_or_else(|| {
        invalid(field, "unknown_code", format!("{field} : « {text} » inconnu ; choisissez parmi {}", known.join(", ")))
    })
}

fn amount(field: &str, value: &Value) -> Result<Money> {
    let amount = limits::parse_amount(field, expect_text(field, value)?)?;
    if amount.is_negative() {
        return Err(invalid(field, "invalid_amount", format!("{field} : un montant positif ou nul est attendu")));
    }
    limits::amount_within_limit(field, amount)
}

fn list(field: &str, value: &Value, check: fn(&str, &str) -> Result<String>) -> Result<Vec<String>> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    let items =
        value.as_array().ok_or_else(|| invalid(field, "invalid_input", format!("{field} : une liste est attendue")))?;
    if items.len() > CONTACTS_MAX {
        return Err(invalid(field, "too_long", format!("{field} : {CONTACTS_MAX} au plus")));
    }
    let mut values: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let value = check(field, expect_text(field, item)?)?;
        if !values.contains(&value) {
            values.push(value);
        }
    }
    Ok(values)
}

/// A phone number: digits, with spaces, dots, dashes, brackets and a leading `+`; 6 to 15 digits.
fn phone(field: &str, text: &str) -> Result<String> {
    let text = limits::text(field, text, 30, false)?;
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed =
        text.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
    if !allowed || !(6..=15).contains(&digits) {
        return Err(invalid(field, "invalid_phone", format!("{field} : « {text} » n'est pas un numéro de téléphone")));
    }
    Ok(text)
}

/// An e-mail address: one `@` between a local part and a domain with a dot, no space.
fn email(field: &str, text: &str) -> Result<String> {
    let text = limits::text(field, text, SHORT_TEXT_CHARS_MAX, false)?;
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        return Err(invalid(field, "invalid_email", format!("{field} : « {text} » n'est pas une adresse e-mail")));
    }
    Ok(text)
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|item| code(*item)).collect()
}

/// Applies one field of a correction to `file`, checking its value.
fn apply(new: &mut Editable, field: &str, value: &Value, today: NaiveDate) -> Result<()> {
    match field {
        "civility" => {
            new.civility = if value.is_null() {
                None
            } else {
                Some(code(field, value, Civility::from_code, &codes(Civility::ALL, Civility::code))?)
            }
        }
        "last_name" => new.last_name = required_line(field, value)?,
        "first_name" => new.first_name = required_line(field, value)?,
        "birth_date" => {
            new.birth_date = if value.is_null() {
                None
            } else {
                let day = date(field, value)?;
                if day > today || day.year() < 1900 {
                    return Err(invalid(
                        field,
                        "date_out_of_range",
                        format!("{field} : une date de naissance entre 1900 et aujourd'hui est attendue"),
                    ));
                }
                Some(day)
            }
        }
        "address_line" => new.address_line = required_line(field, value)?,
        "postcode" => {
            let postcode = required_line(field, value)?;
            if !debtor_file::is_postcode(&postcode) {
                return Err(invalid(field, "invalid_postcode", format!("{field} : cinq chiffres sont attendus")));
            }
            new.postcode = postcode;
        }
        "city" => new.city = required_line(field, value)?,
        "commune_code" => {
            new.commune_code = match optional_line(field, value)? {
                None => None,
                Some(code) => {
                    if debtor_file::commune(&code).is_none() {
                        return Err(invalid(
                            field,
                            "unknown_commune",
                            format!(
                                "{field} : aucune commune de code INSEE « {code} » dans le référentiel des communes ; \
                                 vérifiez le code (code officiel géographique)"
                            ),
                        ));
                    }
                    Some(code)
                }
            }
        }
        "address_invalid" => {
            new.address_invalid = value
                .as_bool()
                .ok_or_else(|| invalid(field, "invalid_input", format!("{field} : true ou false est attendu")))?
        }
        "phones" => new.phones = list(field, value, phone)?,
        "emails" => new.emails = list(field, value, email)?,
        "iban" => {
            new.iban = match optional_line(field, value)? {
                None => None,
                Some(text) => Some(crate::bank_fields::iban(field, "IBAN", &text)?.into_string()),
            }
        }
        "family_situation" => {
            new.family_situation =
                code(field, value, FamilySituation::from_code, &codes(FamilySituation::ALL, FamilySituation::code))?
        }
        "dependants" => {
            new.dependants = value
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .filter(|n| *n <= 20)
                .ok_or_else(|| invalid(field, "invalid_input", format!("{field} : un nombre entier de 0 à 20")))?
        }
        "employment" => {
            new.employment = code(field, value, Employment::from_code, &codes(Employment::ALL, Employment::code))?
        }
        "employer" => new.employer = optional_line(field, value)?,
        "monthly_income" => new.monthly_income = amount(field, value)?,
        "monthly_charges" => new.monthly_charges = amount(field, value)?,
        _ if SITUATION_FIELDS.contains(&field) => {
            return Err(invalid(
                field,
                "use_situations",
                format!(
                    "{field} : se change en enregistrant une situation (décès, protection, surendettement, FICP) : \
                     POST /api/v1/debtors/{{numéro client}}/situations ou le formulaire « Situation » de la fiche"
                ),
            ))
        }
        _ => {
            return Err(invalid(
                field,
                "unknown_field",
                format!("{field} : champ inconnu ou non modifiable ; retirez-le de la demande"),
            ))
        }
    }
    Ok(())
}

fn version_of(body: &Map<String, Value>) -> Result<i64> {
    match body.get("version") {
        None | Some(Value::Null) => Err(invalid(
            "version",
            "required",
            "version : obligatoire ; envoyez la version de la fiche lue avant de la modifier".to_string(),
        )),
        Some(value) => value
            .as_i64()
            .ok_or_else(|| invalid("version", "invalid_input", "version : un nombre entier est attendu".to_string())),
    }
}

fn reason_of(body: &Map<String, Value>) -> Result<String> {
    let value = body.get("reason").cloned().unwrap_or(Value::Null);
    if value.is_null() {
        return Err(invalid("reason", "required", "reason : obligatoire ; dites pourquoi la fiche change".to_string()));
    }
    limits::required_text("reason", expect_text("reason", &value)?, LONG_TEXT_CHARS_MAX, true)
}

/// The file as `body` would make it, every value checked; the first bad one is refused naming
/// its field, before anything is written.
pub fn corrected(file: &DebtorFile, body: &Map<String, Value>, today: NaiveDate) -> Result<Editable> {
    let mut new = file.editable();
    for (field, value) in body {
        if field == "version" || field == "reason" {
            continue;
        }
        apply(&mut new, field, value, today)?;
    }
    // A new address is presumed good: the old one's NPAI mark does not carry over unless the
    // correction says so.
    let old = file.editable();
    let moved = new.address_line != old.address_line
        || new.postcode != old.postcode
        || new.city != old.city
        || new.commune_code != old.commune_code;
    if moved && !body.contains_key("address_invalid") {
        new.address_invalid = false;
    }
    // The postcode must be one of the commune's (La Poste), when the commune is known.
    if let Some(code) = &new.commune_code {
        if let Some(commune) = debtor_file::commune(code) {
            if !commune.postcodes.contains(&new.postcode) {
                let field = if body.contains_key("postcode") { "postcode" } else { "commune_code" };
                return Err(invalid(
                    field,
                    "postcode_not_of_commune",
                    format!(
                        "{field} : le code postal {} n'est pas celui de {} ({}) ; codes postaux de la commune : {}",
                        new.postcode,
                        commune.name,
                        commune.code,
                        commune.postcodes.join(", ")
                    ),
                ));
            }
            if body.contains_key("commune_code") && !body.contains_key("city") {
                new.city = commune.name.clone();
            }
        }
    }
    Ok(new)
}

/// Corrects a person's file (`PATCH /api/v1/debtors/{customer_number}`): see the module's doc.
/// Returns the file as it stands after.
pub async fn correct_debtor(
    app: &App,
    actor: &Actor,
    customer_number: &str,
    body: &Map<String, Value>,
) -> Result<DebtorFile> {
    actor.require(Permission::WorkCases)?;
    let version = version_of(body)?;
    let reason = reason_of(body)?;
    let file = recouvre_store::debtors::file(app.store(), customer_number).await?;
    let new = corrected(&file, body, app.today())?;
    let author = Author { actor: &actor.login, reason: &reason, now: app.now(), today: app.today() };
    recouvre_store::debtors::correct(app.store(), customer_number, version, &new, &author).await?;
    Ok(recouvre_store::debtors::file(app.store(), customer_number).await?)
}

/// A situation as an officer records it: the kind, the day, the person's version and the kind's
/// own fields (the others must be absent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SituationInput {
    pub kind: String,
    pub on: Option<NaiveDate>,
    pub version: Option<i64>,
    pub reason: Option<String>,
    // deceased
    pub notary_name: Option<String>,
    pub notary_address: Option<String>,
    pub heirs: Option<String>,
    pub estate_option: Option<String>,
    // protection
    pub measure: Option<String>,
    pub judgment_on: Option<NaiveDate>,
    pub guardian_name: Option<String>,
    pub guardian_address: Option<String>,
    // over_indebtedness
    pub stage: Option<String>,
    pub decision_on: Option<NaiveDate>,
    // ficp
    pub registered: Option<bool>,
}

fn short(field: &str, value: &Option<String>) -> Result<Option<String>> {
    match value {
        Some(text) => Ok(Some(limits::text(field, text, SHORT_TEXT_CHARS_MAX, false)?).filter(|t| !t.is_empty())),
        None => Ok(None),
    }
}

fn multiline(field: &str, value: &Option<String>) -> Result<Option<String>> {
    match value {
        Some(text) => Ok(Some(limits::text(field, text, SHORT_TEXT_CHARS_MAX, true)?).filter(|t| !t.is_empty())),
        None => Ok(None),
    }
}

fn french(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// Refuses a field given for another kind of situation.
fn not_for(kind: SituationKind, fields: &[(&str, bool)]) -> Result<()> {
    match fields.iter().find(|(_, given)| *given) {
        Some((field, _)) => Err(invalid(
            field,
            "unknown_field",
            format!("{field} : ne s'applique pas à une situation « {} » ; retirez-le", kind.label().to_lowercase()),
        )),
        None => Ok(()),
    }
}

/// The situation checked: its effect on the file, its details for the history, its summary.
fn situation(input: &SituationInput, today: NaiveDate) -> Result<(NewSituation<'static>, NaiveDate)> {
    let kind_codes = codes(SituationKind::ALL, SituationKind::code);
    let kind = SituationKind::from_code(input.kind.trim()).ok_or_else(|| {
        invalid(
            "kind",
            "unknown_code",
            format!("kind : « {} » inconnu ; choisissez parmi {}", input.kind, kind_codes.join(", ")),
        )
    })?;
    let on = input.on.ok_or_else(|| invalid("on", "required", "on : obligatoire ; la date de la situation".into()))?;
    let on = limits::past_date("on", on, today)?;
    let estate_given = [
        ("notary_name", input.notary_name.is_some()),
        ("notary_address", input.notary_address.is_some()),
        ("heirs", input.heirs.is_some()),
        ("estate_option", input.estate_option.is_some()),
    ];
    let protection_given = [
        ("measure", input.measure.is_some()),
        ("judgment_on", input.judgment_on.is_some()),
        ("guardian_name", input.guardian_name.is_some()),
        ("guardian_address", input.guardian_address.is_some()),
    ];
    let over_given = [("stage", input.stage.is_some()), ("decision_on", input.decision_on.is_some())];
    let ficp_given = [("registered", input.registered.is_some())];
    let (effect, details, summary) = match kind {
        SituationKind::Deceased => {
            not_for(kind, &protection_given)?;
            not_for(kind, &over_given)?;
            not_for(kind, &ficp_given)?;
            let option = match &input.estate_option {
                Some(text) => code(
                    "estate_option",
                    &json!(text),
                    EstateOption::from_code,
                    &codes(EstateOption::ALL, EstateOption::code),
                )?,
                None => EstateOption::Pending,
            };
            let estate = Estate {
                notary_name: short("notary_name", &input.notary_name)?,
                notary_address: multiline("notary_address", &input.notary_address)?,
                heirs: multiline("heirs", &input.heirs)?,
                option: Some(option),
            };
            let details = json!({
                "notary_name": estate.notary_name, "notary_address": estate.notary_address,
                "heirs": estate.heirs, "estate_option": option.code(),
            });
            let summary = format!("Décès le {} — {}", french(on), option.label().to_lowercase());
            (SituationEffect::Deceased { estate }, details, summary)
        }
        SituationKind::Protection => {
            not_for(kind, &estate_given)?;
            not_for(kind, &over_given)?;
            not_for(kind, &ficp_given)?;
            let measure_codes = codes(ProtectionMeasure::ALL, ProtectionMeasure::code);
            let measure = match &input.measure {
                Some(text) => code("measure", &json!(text), ProtectionMeasure::from_code, &measure_codes)?,
                None => {
                    return Err(invalid(
                        "measure",
                        "required",
                        format!("measure : obligatoire ; {}", measure_codes.join(", ")),
                    ))
                }
            };
            let judgment_on = match input.judgment_on {
                Some(day) => Some(limits::past_date("judgment_on", day, today)?),
                None => None,
            };
            let guardian_name = short("guardian_name", &input.guardian_name)?;
            let guardian_address = multiline("guardian_address", &input.guardian_address)?;
            let protection = measure.protection();
            // Letters go to the tutor or the curator (C. civ. 467, 473): without a name they
            // could not be addressed.
            if protection.requires_guardian() && guardian_name.is_none() {
                return Err(invalid(
                    "guardian_name",
                    "required",
                    format!(
                        "guardian_name : obligatoire pour une {} ; le nom du tuteur ou du curateur",
                        measure.label().to_lowercase()
                    ),
                ));
            }
            let (guardian_name, guardian_address) =
                if protection == Protection::None { (None, None) } else { (guardian_name, guardian_address) };
            let details = json!({
                "measure": measure.code(), "judgment_on": judgment_on,
                "guardian_name": guardian_name, "guardian_address": guardian_address,
            });
            let summary = match judgment_on {
                Some(day) => format!("{} (jugement du {}) à compter du {}", measure.label(), french(day), french(on)),
                None => format!("{} à compter du {}", measure.label(), french(on)),
            };
            (SituationEffect::Protection { protection, guardian_name, guardian_address }, details, summary)
        }
        SituationKind::OverIndebtedness => {
            not_for(kind, &estate_given)?;
            not_for(kind, &protection_given)?;
            not_for(kind, &ficp_given)?;
            let stage_codes = codes(OverIndebtednessStage::ALL, OverIndebtednessStage::code);
            let stage = match &input.stage {
                Some(text) => code("stage", &json!(text), OverIndebtednessStage::from_code, &stage_codes)?,
                None => {
                    return Err(invalid(
                        "stage",
                        "required",
                        format!("stage : obligatoire ; {}", stage_codes.join(", ")),
                    ))
                }
            };
            let decision_on = match input.decision_on {
                Some(day) => Some(limits::past_date("decision_on", day, today)?),
                None => None,
            };
            let details = json!({"stage": stage.code(), "decision_on": decision_on});
            let summary =
                format!("Surendettement : {} le {}", stage.label().to_lowercase(), french(decision_on.unwrap_or(on)));
            (SituationEffect::OverIndebtedness { stage }, details, summary)
        }
        SituationKind::Ficp => {
            not_for(kind, &estate_given)?;
            not_for(kind, &protection_given)?;
            not_for(kind, &over_given)?;
            let registered = input.registered.ok_or_else(|| {
                invalid("registered", "required", "registered : obligatoire (true : inscrit, false : radié)".into())
            })?;
            let details = json!({"registered": registered});
            let summary = if registered {
                format!("Inscription au FICP le {}", french(on))
            } else {
                format!("Radiation du FICP le {}", french(on))
            };
            (SituationEffect::Ficp { registered }, details, summary)
        }
    };
    Ok((NewSituation { on, effect, details, summary, reason: None }, on))
}

/// Records a situation on a person (`POST /api/v1/debtors/{customer_number}/situations`): the
/// columns every reader uses are updated at once (letters, procedure context, strategy), each
/// open case journals it, a debt relief writes off what the person alone owed; then the
/// strategy is re-evaluated on the person's open cases.
pub async fn record_situation(
    app: &App,
    actor: &Actor,
    customer_number: &str,
    input: &SituationInput,
) -> Result<SituationRecorded> {
    actor.require(Permission::WorkCases)?;
    let version = input.version.ok_or_else(|| {
        invalid("version", "required", "version : obligatoire ; envoyez la version de la fiche lue".to_string())
    })?;
    let reason = multiline("reason", &input.reason)?;
    let (mut new, _) = situation(input, app.today())?;
    new.reason = reason.as_deref();
    let author =
        Author { actor: &actor.login, reason: reason.as_deref().unwrap_or(""), now: app.now(), today: app.today() };
    let recorded =
        recouvre_store::debtors::record_situation(app.store(), customer_number, version, &new, &author).await?;
    // The strategy engine re-evaluates each case on its new facts (stored only if they changed).
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    for case_id in &recorded.cases {
        match recouvre_store::workflow::reevaluate(app.store(), *case_id, &rules, "system:strategy", app.now()).await {
            Ok(_) | Err(recouvre_store::StoreError::Refused { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(recorded)
}

/// The situations recorded on a person, newest first.
pub async fn situations(app: &App, actor: &Actor, customer_number: &str) -> Result<Vec<SituationRecord>> {
    actor.require(Permission::ReadCases)?;
    Ok(recouvre_store::debtors::file(app.store(), customer_number).await?.situations)
}

impl SituationInput {
    /// The input of a JSON object; an unknown field or a value of the wrong type is refused
    /// naming it.
    pub fn from_json(body: &Map<String, Value>) -> Result<SituationInput> {
        fn text(field: &str, value: &Value) -> Result<Option<String>> {
            if value.is_null() {
                return Ok(None);
            }
            Ok(Some(expect_text(field, value)?.to_string()))
        }
        fn day(field: &str, value: &Value) -> Result<Option<NaiveDate>> {
            if value.is_null() {
                return Ok(None);
            }
            Ok(Some(date(field, value)?))
        }
        let mut input = SituationInput::default();
        for (field, value) in body {
            let field = field.as_str();
            match field {
                "kind" => input.kind = text(field, value)?.unwrap_or_default(),
                "on" => input.on = day(field, value)?,
                "version" => {
                    input.version = if value.is_null() {
                        None
                    } else {
                        Some(value.as_i64().ok_or_else(|| {
                            invalid(field, "invalid_input", "version : un nombre entier est attendu".to_string())
                        })?)
                    }
                }
                "reason" => input.reason = text(field, value)?,
                "notary_name" => input.notary_name = text(field, value)?,
                "notary_address" => input.notary_address = text(field, value)?,
                "heirs" => input.heirs = text(field, value)?,
                "estate_option" => input.estate_option = text(field, value)?,
                "measure" => input.measure = text(field, value)?,
                "judgment_on" => input.judgment_on = day(field, value)?,
                "guardian_name" => input.guardian_name = text(field, value)?,
                "guardian_address" => input.guardian_address = text(field, value)?,
                "stage" => input.stage = text(field, value)?,
                "decision_on" => input.decision_on = day(field, value)?,
                "registered" => {
                    input.registered = if value.is_null() {
                        None
                    } else {
                        Some(value.as_bool().ok_or_else(|| {
                            invalid(field, "invalid_input", "registered : true ou false est attendu".to_string())
                        })?)
                    }
                }
                _ => {
                    return Err(invalid(
                        field,
                        "unknown_field",
                        format!("{field} : champ inconnu pour une situation ; retirez-le de la demande"),
                    ))
                }
            }
        }
        Ok(input)
    }
}
