//! The calculators page.

use crate::auth::CurrentUser;
use crate::shared::{render, Layout, PageResult};
use askama::Template;
use recouvre_domain::authority::Permission;

// ---------------------------------------------------------------------------------------------
// Calculators

#[derive(Template)]
#[template(path = "calculators.html")]
pub(crate) struct CalculatorsPage {
    layout: Layout,
}

pub(crate) async fn calculators(user: CurrentUser) -> PageResult {
    user.require(Permission::UseCalculators)?;
    render(&CalculatorsPage { layout: Layout::of(&user) })
}
