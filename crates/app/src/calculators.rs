//! The law's calculators (docs/calculators.md) for the API: the same pure functions the command
//! line runs (`recouvre_domain::calc`), with the reference data in force and "today" from the
//! application's clock where a calculator needs a date the caller left out.

use recouvre_domain::authority::Permission;
use recouvre_domain::calc::CalcError;
use serde_json::Value;

use crate::{Actor, App, Result};

/// Runs calculator `name` on a JSON request. The outer error is the actor's permission; the
/// inner one the calculator's refusal, which names the argument at fault.
pub fn calculate(app: &App, actor: &Actor, name: &str, request: Value) -> Result<Result<Value, CalcError>> {
    actor.require(Permission::UseCalculators)?;
    let mut request = request;
    // The calculators are pure: "as of today" is the application's to say.
    if name == "foreclosure" {
        if let Some(fields) = request.as_object_mut() {
            fields.entry("as_of").or_insert_with(|| serde_json::json!(app.today()));
        }
    }
    Ok(recouvre_domain::calc::run(name, request, &app.reference()))
}
