//! The workflow's rule documents an administrator edits (TOML, the layout of
//! `crates/domain/data/<kind>.toml`): each new version is validated, then kept (append-only).

use recouvre_domain::authority::Permission;

use crate::{Actor, App, Error, Result};

pub use recouvre_store::workflow::RULE_KINDS;

/// The embedded default of a rule document (commented TOML).
fn default_rules(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "strategy_rules" => include_str!("../../../domain/data/strategy_rules.toml"),
        "authority_matrix" => include_str!("../../../domain/data/authority_matrix.toml"),
        "procedure_policy" => include_str!("../../../domain/data/procedure_policy.toml"),
        "assessment_policy" => include_str!("../../../domain/data/assessment_policy.toml"),
        "provisioning_policy" => include_str!("../../../domain/data/provisioning_policy.toml"),
        _ => return None,
    })
}

/// The rule document of `kind` in force: the administrator's latest version, else the default.
pub async fn rules_document(app: &App, actor: &Actor, kind: &str) -> Result<String> {
    if !actor.can(Permission::Administer) {
        actor.require(Permission::ReadCases)?;
    }
    let default = default_rules(kind).ok_or_else(|| Error::not_found(format!("le document de règles « {kind} »")))?;
    Ok(recouvre_store::workflow::rules_text(app.store(), kind).await?.unwrap_or_else(|| default.to_string()))
}
