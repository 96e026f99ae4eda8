//! The case list's own forms: its saved filters (« mes relances du jour ») and its bulk
//! actions (assign, tag) over the cases ticked on the page.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::shared::{render, Layout, PageResult};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use recouvre_app::bulk::{Outcome, Selected};
use recouvre_app::error::Error;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// Saved filters

#[derive(Deserialize)]
pub(crate) struct SaveFilterForm {
    csrf: String,
    name: String,
    /// The list's URL query when the form was shown.
    #[serde(default)]
    query: String,
}

pub(crate) async fn save_filter(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<SaveFilterForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::saved_filters::save(&state.app, &user.actor(), &form.name, &form.query).await?;
    let query = recouvre_app::saved_filters::list_query(&form.query);
    Ok(Redirect::to(&format!("/dossiers?{query}#mes-filtres")).into_response())
}

pub(crate) async fn delete_filter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<crate::shared::CsrfForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::saved_filters::delete(&state.app, &user.actor(), id).await?;
    Ok(Redirect::to("/dossiers#mes-filtres").into_response())
}

// ---------------------------------------------------------------------------------------------
// Bulk actions

pub(crate) struct OutcomeRow {
    case_id: i64,
    reference: String,
    done: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "cases_bulk.html")]
pub(crate) struct BulkResultPage {
    layout: Layout,
    title: String,
    done: usize,
    refused: usize,
    rows: Vec<OutcomeRow>,
    back_url: String,
}

/// The bulk form: `csrf`, `action` (`assign` or `tag`), `officer` (an id, empty to unassign),
/// `tag`, `query` (the list's, to go back to it) and one `case=<id>:<version>` per ticked row.
/// Read by hand: the form repeats `case`, which `Form` does not collect.
struct BulkForm {
    csrf: String,
    action: String,
    officer: String,
    tag: String,
    query: String,
    selected: Vec<Selected>,
}

fn parse_bulk_form(body: &[u8]) -> Result<BulkForm, AppError> {
    let mut form = BulkForm {
        csrf: String::new(),
        action: String::new(),
        officer: String::new(),
        tag: String::new(),
        query: String::new(),
        selected: Vec::new(),
    };
    for (key, value) in form_urlencoded::parse(body) {
        match key.as_ref() {
            "csrf" => form.csrf = value.into_owned(),
            "action" => form.action = value.into_owned(),
            "officer" => form.officer = value.into_owned(),
            "tag" => form.tag = value.into_owned(),
            "query" => form.query = value.into_owned(),
            "case" => {
                let bad = || {
                    AppError::App(Error::invalid(
                        "case",
                        "invalid_input",
                        format!("dossier coché « {value} » illisible : rechargez la liste"),
                    ))
                };
                let (id, version) = value.split_once(':').ok_or_else(bad)?;
                form.selected.push(Selected {
                    case_id: id.parse().map_err(|_| bad())?,
                    version: version.parse().map_err(|_| bad())?,
                });
            }
            _ => {}
        }
    }
    Ok(form)
}

pub(crate) async fn bulk_action(
    State(state): State<AppState>,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> PageResult {
    let form = parse_bulk_form(&body)?;
    user.check_csrf(Some(&form.csrf))?;
    let actor = user.actor();
    let (title, outcomes): (String, Vec<Outcome>) = match form.action.as_str() {
        "assign" => {
            let officer = match form.officer.trim() {
                "" => None,
                id => Some(id.parse::<i64>().map_err(|_| {
                    Error::invalid("officer", "unknown_officer", format!("gestionnaire inconnu « {id} »"))
                })?),
            };
            let outcomes = recouvre_app::bulk::assign(&state.app, &actor, &form.selected, officer).await?;
            (if officer.is_some() { "Affectation groupée" } else { "Désaffectation groupée" }.to_string(), outcomes)
        }
        "tag" => {
            let outcomes = recouvre_app::bulk::add_tag(&state.app, &actor, &form.selected, &form.tag).await?;
            (format!("Étiquette « {} » ajoutée", form.tag.trim()), outcomes)
        }
        other => {
            return Err(AppError::App(Error::invalid(
                "action",
                "invalid_input",
                format!("action groupée inconnue « {other} » : choisissez « Affecter » ou « Étiqueter »"),
            ))
            .into())
        }
    };
    let done = outcomes.iter().filter(|outcome| outcome.result.is_ok()).count();
    let rows = outcomes
        .into_iter()
        .map(|outcome| OutcomeRow {
            case_id: outcome.case_id,
            reference: outcome.reference,
            done: outcome.result.is_ok(),
            message: match outcome.result {
                Ok(_) => "fait".to_string(),
                Err(error) => error.message.clone(),
            },
        })
        .collect::<Vec<_>>();
    let query = recouvre_app::saved_filters::list_query(&form.query);
    render(&BulkResultPage {
        layout: Layout::of(&user),
        title,
        done,
        refused: rows.len() - done,
        rows,
        back_url: format!("/dossiers?{query}"),
    })
}
