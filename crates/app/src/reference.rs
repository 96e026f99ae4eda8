//! Reference data at run time: the embedded defaults plus administrators' entries, reloaded
//! when another server added one, and the warnings an administrator must see when a date is
//! not covered (a missing value is never guessed).

use std::time::Duration;

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_domain::reference::{OnConflict, ReferenceData, Semester};
use recouvre_store::Store;

use crate::{Actor, App, Error, Result};

/// The kinds of reference values (JSON, dated) an administrator can add.
pub const VALUE_KINDS: [&str; 4] = ["statutory_rate", "wage_bands", "unseizable_balance", "indemnity_cap"];

/// The rule documents (TOML, kept whole: the latest entered is in force), read where they are
/// used (`store::workflow::rules`, the vigilance rules).
pub const DOCUMENT_KINDS: [&str; 6] =
    ["strategy_rules", "authority_matrix", "procedure_policy", "assessment_policy", "provisioning_policy", "aml_rules"];

/// The reference data in force: the embedded defaults, then every value an administrator
/// added, in the order they were added (a later correction replaces an earlier value). Rule
/// documents are not values and are skipped here, so that no document can stop a server or a
/// nightly run from starting.
pub async fn load(store: &Store) -> Result<ReferenceData> {
    let mut data = ReferenceData::embedded();
    for entry in recouvre_store::reference::all(store).await? {
        if !VALUE_KINDS.contains(&entry.kind.as_str()) {
            continue;
        }
        apply_value(&mut data, &entry.kind, &entry.entry, OnConflict::Replace).map_err(|error| {
            Error::internal(format!("donnée de référence n° {} ({}) illisible : {error}", entry.id, entry.kind))
        })?;
    }
    Ok(data)
}

/// Applies one value (JSON in the domain's serde form) to `data`.
pub fn apply_value(data: &mut ReferenceData, kind: &str, json: &str, on_conflict: OnConflict) -> Result<()> {
    fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
        serde_json::from_str(json)
            .map_err(|error| Error::invalid("entry", "invalid_json", format!("JSON invalide : {error}")))
    }
    let outcome = match kind {
        "statutory_rate" => data.insert_statutory_rate(parse(json)?, on_conflict),
        "wage_bands" => data.insert_wage_bands(parse(json)?, on_conflict),
        "unseizable_balance" => data.insert_unseizable_balance(parse(json)?, on_conflict),
        "indemnity_cap" => data.insert_indemnity_cap(parse(json)?, on_conflict),
        other => return Err(unknown_kind(other)),
    };
    outcome.map_err(|error| Error::invalid("entry", "reference_conflict", error.to_string()))
}

fn unknown_kind(kind: &str) -> Error {
    Error::invalid(
        "kind",
        "unknown_code",
        format!(
            "type de donnée de référence inconnu « {kind} » : choisissez parmi {}, {}",
            VALUE_KINDS.join(", "),
            DOCUMENT_KINDS.join(", ")
        ),
    )
}

/// What the reference data does not cover on `day`: each line says what to enter.
pub fn coverage_warnings(data: &ReferenceData, day: NaiveDate) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Err(error) = data.statutory_rate(Semester::of(day)) {
        warnings.push(error.to_string());
    }
    if let Err(error) = data.unseizable_balance_on(day) {
        warnings.push(error.to_string());
    }
    if let Err(error) = data.wage_bands(chrono::Datelike::year(&day)) {
        warnings.push(error.to_string());
    }
    warnings
}

/// What an added entry was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// A dated value, in force in this server at once and in the others within
    /// [`REFRESH_SECONDS`].
    Value,
    /// A rule document, in force for the next decisions.
    RuleDocument,
    /// The vigilance rules, in force for the next payments.
    AmlRules,
    /// A rule document proposed (this request's number): in force once another administrator
    /// approves it (issue 23).
    Proposed(i64),
}

/// The kind of the retention policy's documents (`recouvre_app::privacy`).
pub const RETENTION_KIND: &str = "retention_policy";

/// Validates an entry against the data in force, stores it (append-only, with who and when),
/// and puts it in force. `text` is JSON for a value, TOML for a document.
pub async fn add_entry(app: &App, actor: &Actor, kind: &str, text: &str, replace: bool) -> Result<Added> {
    actor.require(Permission::Administer)?;
    let text = text.trim();
    let now = app.now();
    if recouvre_store::workflow::RULE_KINDS.contains(&kind) {
        // Dual control (issue 23): a rule document is proposed here, in force once another
        // administrator approves it.
        let change = crate::setting_changes::propose_rules(app, actor, kind, text, "entry").await?;
        return Ok(Added::Proposed(change.id));
    }
    if kind == RETENTION_KIND {
        // The retention policy (issue 24, docs/privacy.md): a new version, kept with the earlier ones.
        recouvre_domain::retention::RetentionPolicy::from_toml(text)
            .map_err(|error| Error::invalid("entry", "invalid_rules", error.to_string()))?;
        recouvre_store::reference::add(app.store(), kind, text, &actor.login, now).await?;
        tracing::info!(kind, by = %actor.login, "retention policy added");
        return Ok(Added::RuleDocument);
    }
    if kind == COURTS_KIND {
        let districts = parse_courts_entry(text).map_err(|error| Error::invalid("entry", "invalid_courts", error))?;
        let json = serde_json::to_string(&districts).map_err(Error::internal)?;
        recouvre_store::reference::add(app.store(), kind, &json, &actor.login, now).await?;
        tracing::info!(kind, by = %actor.login, districts = districts.len(), "courts list added");
        return Ok(Added::RuleDocument);
    }
    if kind == "aml_rules" {
        recouvre_domain::aml::AmlRules::from_toml(text)
            .map_err(|error| Error::invalid("entry", "invalid_rules", error.to_string()))?;
        // Compliance's own table, not the reference data every role reads.
        recouvre_store::aml::enter_rules(app.store(), text, &actor.login, now).await?;
        tracing::info!(kind, "vigilance rules added");
        return Ok(Added::AmlRules);
    }
    if !VALUE_KINDS.contains(&kind) {
        return Err(unknown_kind(kind));
    }
    // Re-serialised so that what is stored is one canonical JSON text.
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|error| Error::invalid("entry", "invalid_json", format!("JSON invalide : {error}")))?;
    let json = json.to_string();
    let on_conflict = if replace { OnConflict::Replace } else { OnConflict::Reject };
    // Checked against the database, not this server's copy: another server may have added an
    // entry within the last refresh period.
    let mut data = load(app.store()).await?;
    apply_value(&mut data, kind, &json, on_conflict)?;
    recouvre_store::reference::add(app.store(), kind, &json, &actor.login, now).await?;
    app.set_reference(data);
    tracing::info!(kind, by = %actor.login, "reference entry added");
    Ok(Added::Value)
}

/// The reference document of the courts and their districts (issue 20): the latest list an
/// administrator loaded replaces the shipped demo subset whole.
pub const COURTS_KIND: &str = "courts";

/// Reads a courts list as sent to `POST /api/v1/admin/reference/courts`: either the CSV text of
/// the documented format (a JSON string) or a JSON array of districts. Every district is
/// checked; an empty list is refused.
pub fn parse_courts_entry(text: &str) -> std::result::Result<Vec<recouvre_domain::courts::CourtDistrict>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|error| format!("JSON invalide : {error}"))?;
    let districts = match value {
        serde_json::Value::String(csv) => recouvre_domain::courts::parse_courts(&csv)?,
        other => {
            let districts: Vec<recouvre_domain::courts::CourtDistrict> =
                serde_json::from_value(other).map_err(|error| format!("liste de juridictions illisible : {error}"))?;
            for district in &districts {
                recouvre_domain::courts::check(district)?;
            }
            districts
        }
    };
    if districts.is_empty() {
        return Err("liste de juridictions vide : chargez la liste officielle des communes et de leurs juridictions"
            .to_string());
    }
    Ok(districts)
}

/// The courts in force: the latest list an administrator loaded, else the shipped demo subset.
pub async fn courts_in_force(store: &recouvre_store::Store) -> Result<Vec<recouvre_domain::courts::CourtDistrict>> {
    let entries = recouvre_store::reference::all(store).await?;
    match entries.iter().rev().find(|entry| entry.kind == COURTS_KIND) {
        Some(entry) => serde_json::from_str(&entry.entry)
            .map_err(|error| Error::internal(format!("liste de juridictions n° {} illisible : {error}", entry.id))),
        None => Ok(recouvre_domain::courts::shipped().to_vec()),
    }
}

/// Seconds between two checks for entries added by another server.
pub const REFRESH_SECONDS: u64 = 30;

/// Several stateless servers share one database: each reloads the reference data when the
/// number of entries changed (checked every [`REFRESH_SECONDS`]).
pub fn spawn_refresh(app: App) {
    tokio::spawn(async move {
        let mut known = recouvre_store::reference::count(app.store()).await.unwrap_or(0);
        loop {
            tokio::time::sleep(Duration::from_secs(REFRESH_SECONDS)).await;
            match recouvre_store::reference::count(app.store()).await {
                Ok(count) if count != known => match load(app.store()).await {
                    Ok(data) => {
                        app.set_reference(data);
                        known = count;
                        tracing::info!(entries = count, "reference data reloaded");
                    }
                    Err(error) => tracing::error!(%error, "reference data reload failed"),
                },
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "reference data check failed"),
            }
        }
    });
}
