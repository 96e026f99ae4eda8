//! Bulk actions of the case list: assign the selected cases to an officer, add a tag to them.
//!
//! Each is the single action, under the same permission, checked once before anything is done
//! (a role without it changes nothing); then each case is changed in its own transaction, with
//! its own journal event and the version the user saw on the list. One case refused (stale,
//! closed, unknown) does not undo the others: the answer lists every case with its outcome, so
//! the user sees what was done and what is left to do.

use recouvre_domain::authority::Permission;

use crate::cases::{TAGS_PER_CASE_MAX, TAG_CHARS_MAX};
use crate::limits;
use crate::{Actor, App, Error, Result};

/// Cases per bulk action: a page of the list at most (`recouvre_store::cases::MAX_PAGE_ROWS`).
pub const BULK_CASES_MAX: usize = 200;

/// A case selected on the list, with the version shown there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selected {
    pub case_id: i64,
    pub version: i64,
}

/// What became of one case.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub case_id: i64,
    /// The case number shown to the user (`CTX-…`).
    pub reference: String,
    /// The case's new version, or why it was refused.
    pub result: std::result::Result<i64, Error>,
}

fn check_selection(selected: &[Selected]) -> Result<()> {
    if selected.is_empty() {
        return Err(Error::invalid("case", "nothing_selected", "aucun dossier coché : cochez les dossiers à traiter"));
    }
    if selected.len() > BULK_CASES_MAX {
        return Err(Error::invalid(
            "case",
            "too_many_cases",
            format!("{} dossiers cochés : {BULK_CASES_MAX} au plus par action", selected.len()),
        ));
    }
    Ok(())
}

/// Gives each selected case to `officer_id` (`None`: unassigns them), as
/// [`crate::cases::assign`] does one.
pub async fn assign(app: &App, actor: &Actor, selected: &[Selected], officer_id: Option<i64>) -> Result<Vec<Outcome>> {
    actor.require(Permission::AssignCases)?;
    check_selection(selected)?;
    let mut outcomes = Vec::with_capacity(selected.len());
    for (index, case) in selected.iter().enumerate() {
        let result = crate::cases::assign(app, actor, case.case_id, case.version, officer_id).await;
        // An unknown officer is the same for every case: refuse the request, not each case.
        if index == 0 {
            if let Err(error) = &result {
                if error.field.as_deref() == Some("officer_id") {
                    return Err(error.clone());
                }
            }
        }
        outcomes.push(Outcome {
            case_id: case.case_id,
            reference: recouvre_store::cases::case_reference(case.case_id),
            result,
        });
    }
    Ok(outcomes)
}

/// Adds `tag` to each selected case's tags (a case that has it already is left as it is).
pub async fn add_tag(app: &App, actor: &Actor, selected: &[Selected], tag: &str) -> Result<Vec<Outcome>> {
    actor.require(Permission::WorkCases)?;
    check_selection(selected)?;
    let tag = limits::required_text("tag", tag, TAG_CHARS_MAX, false)?;
    if tag.contains(',') {
        return Err(Error::invalid("tag", "invalid_tag", "une seule étiquette, sans virgule"));
    }
    let mut outcomes = Vec::with_capacity(selected.len());
    for case in selected {
        let result = recouvre_store::cases::add_tag(
            app.store(),
            case.case_id,
            case.version,
            &tag,
            TAGS_PER_CASE_MAX,
            &actor.login,
            app.now(),
        )
        .await
        .map_err(Error::from);
        outcomes.push(Outcome {
            case_id: case.case_id,
            reference: recouvre_store::cases::case_reference(case.case_id),
            result,
        });
    }
    Ok(outcomes)
}
