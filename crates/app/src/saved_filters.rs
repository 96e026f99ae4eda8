//! Saved filters of the case list (« mes relances du jour »): each user names the list's filters
//! in force and finds them again in the list's side. A user sees and deletes only their own.

use recouvre_domain::authority::Permission;
use recouvre_store::saved_filters::SavedFilter;

use crate::limits;
use crate::{Actor, App, Error, Result};

/// A filter's name: short, one line.
pub const NAME_CHARS_MAX: usize = 80;
/// Filters per user: the side of the list shows them all.
pub const FILTERS_PER_USER_MAX: usize = 50;
/// The list's query parameters a saved filter keeps; the cursor and the page number are the
/// place in a list, not its filter, and are dropped.
pub const LIST_PARAMETERS: &[&str] = &[
    "q",
    "status",
    "officer",
    "nature",
    "min",
    "max",
    "sort",
    "open",
    "deadline_before",
    "approval",
    "closed_from",
    "closed_to",
    "actor",
    "active_from",
    "active_to",
];

fn user_id(actor: &Actor) -> Result<i64> {
    actor.user_id.ok_or_else(|| Error::forbidden("seul un utilisateur enregistre des filtres"))
}

/// The actor's saved filters, by name.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<SavedFilter>> {
    actor.require(Permission::ReadCases)?;
    let Some(user_id) = actor.user_id else { return Ok(Vec::new()) };
    Ok(recouvre_store::saved_filters::of_user(app.read_store(), user_id).await?)
}

/// Keeps the list's own parameters of a URL query (already percent-encoded pairs), in the
/// list's order, without empty values: `page=3&officer=me&x=1` → `officer=me`.
pub fn list_query(query: &str) -> String {
    let query = query.trim().trim_start_matches('?');
    let pairs: Vec<(&str, &str)> =
        query.split('&').filter_map(|pair| pair.split_once('=')).filter(|(_, value)| !value.is_empty()).collect();
    LIST_PARAMETERS
        .iter()
        .filter_map(|name| pairs.iter().find(|(key, _)| key == name))
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Saves the list's query under `name` for the actor (the same name again: the new query);
/// returns the filter's id.
pub async fn save(app: &App, actor: &Actor, name: &str, query: &str) -> Result<i64> {
    actor.require(Permission::ReadCases)?;
    let user_id = user_id(actor)?;
    let name = limits::required_text("name", name, NAME_CHARS_MAX, false)?;
    let query = list_query(&limits::text("query", query, 2_000, false)?);
    let existing = recouvre_store::saved_filters::of_user(app.store(), user_id).await?;
    if existing.len() >= FILTERS_PER_USER_MAX && !existing.iter().any(|filter| filter.name == name) {
        return Err(Error::invalid(
            "name",
            "too_many_filters",
            format!("{FILTERS_PER_USER_MAX} filtres enregistrés au plus : supprimez-en un avant d'en ajouter"),
        ));
    }
    Ok(recouvre_store::saved_filters::save(app.store(), user_id, &name, &query, app.now()).await?)
}

/// Deletes one of the actor's filters (another user's is not found).
pub async fn delete(app: &App, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::ReadCases)?;
    let user_id = user_id(actor)?;
    Ok(recouvre_store::saved_filters::delete(app.store(), user_id, id).await?)
}

#[cfg(test)]
mod tests {
    use super::list_query;

    #[test]
    fn a_saved_query_keeps_the_list_s_filters_only() {
        assert_eq!(
            list_query("?page=3&officer=me&x=1&after=2026-01-01_4&status=amicable"),
            "status=amicable&officer=me"
        );
        assert_eq!(list_query(""), "");
        assert_eq!(list_query("q=&min=10"), "min=10");
    }
}
