//! Reference data at run time: the embedded defaults plus administrators' entries, reloaded
//! when another server added one, and the warnings an administrator must see when today's
//! date is not covered (a missing value is never guessed).

use crate::AppState;
use chrono::NaiveDate;
use recouvre_store::Store;
use std::sync::Arc;
use std::time::Duration;

use recouvre_domain::reference::{OnConflict, ReferenceData, Semester};

/// The kinds of reference entries an administrator can add.
pub const REFERENCE_KINDS: [&str; 4] = ["statutory_rate", "wage_bands", "unseizable_balance", "indemnity_cap"];

/// The reference data in force: the embedded defaults, then every entry an administrator
/// added, in the order they were added (a later correction replaces an earlier value).
pub async fn load_reference(store: &Store) -> anyhow::Result<ReferenceData> {
    let mut data = ReferenceData::embedded();
    for entry in recouvre_store::reference::all(store).await? {
        apply_reference_entry(&mut data, &entry.kind, &entry.entry, OnConflict::Replace).map_err(|error| {
            anyhow::anyhow!("donnée de référence n° {} ({}) illisible : {error}", entry.id, entry.kind)
        })?;
    }
    Ok(data)
}

/// Applies one administrator entry (JSON in the domain's serde form) to `data`.
pub fn apply_reference_entry(
    data: &mut ReferenceData,
    kind: &str,
    json: &str,
    on_conflict: OnConflict,
) -> Result<(), String> {
    fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
        serde_json::from_str(json).map_err(|error| format!("JSON invalide : {error}"))
    }
    let outcome = match kind {
        "statutory_rate" => data.insert_statutory_rate(parse(json)?, on_conflict),
        "wage_bands" => data.insert_wage_bands(parse(json)?, on_conflict),
        "unseizable_balance" => data.insert_unseizable_balance(parse(json)?, on_conflict),
        "indemnity_cap" => data.insert_indemnity_cap(parse(json)?, on_conflict),
        other => return Err(format!("type inconnu « {other} » : {}", REFERENCE_KINDS.join(", "))),
    };
    outcome.map_err(|error| error.to_string())
}

/// What the reference data does not cover on `today`: each line says what to enter.
pub fn coverage_warnings(data: &ReferenceData, today: NaiveDate) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Err(error) = data.statutory_rate(Semester::of(today)) {
        warnings.push(error.to_string());
    }
    if let Err(error) = data.unseizable_balance_on(today) {
        warnings.push(error.to_string());
    }
    if let Err(error) = data.wage_bands(chrono::Datelike::year(&today)) {
        warnings.push(error.to_string());
    }
    warnings
}

/// Number of administrators' entries, to notice another server's additions cheaply.
async fn entry_count(store: &Store) -> anyhow::Result<i64> {
    Ok(recouvre_store::reference::count(store).await?)
}

/// Several stateless servers share one database: each reloads the reference data when the
/// number of entries changed (checked every `REFRESH_SECONDS`).
pub fn spawn_refresh(state: AppState) {
    const REFRESH_SECONDS: u64 = 30;
    tokio::spawn(async move {
        let mut known = entry_count(&state.store).await.unwrap_or(0);
        loop {
            tokio::time::sleep(Duration::from_secs(REFRESH_SECONDS)).await;
            match entry_count(&state.store).await {
                Ok(count) if count != known => match load_reference(&state.store).await {
                    Ok(data) => {
                        *state.reference.write().expect("reference lock") = Arc::new(data);
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

/// Validates an administrator's entry against the data in force, stores it (append-only, with
/// who and when), and puts the new data in force in this server.
pub async fn add_entry(
    state: &AppState,
    kind: &str,
    json: &str,
    replace: bool,
    by: &str,
) -> Result<(), crate::AppError> {
    let on_conflict = if replace { OnConflict::Replace } else { OnConflict::Reject };
    // Checked against the database, not this server's copy: another server may have added
    // an entry within the last refresh period.
    let mut data = load_reference(&state.store).await?;
    apply_reference_entry(&mut data, kind, json, on_conflict).map_err(crate::AppError::BadRequest)?;
    recouvre_store::reference::add(&state.store, kind, json, by, chrono::Utc::now()).await?;
    *state.reference.write().expect("reference lock") = Arc::new(data);
    tracing::info!(kind, by, "reference entry added");
    Ok(())
}
