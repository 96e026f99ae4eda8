//! Who acts: a user of the web or the API, or the system (a command run by the operator, the
//! nightly run). Use cases check the actor's permission themselves, so a shell that forgot to
//! cannot let an act through: what a screen hides is a courtesy, this is the rule.

use recouvre_domain::authority::{DelegationLevel, Permission, Role};

use crate::error::{Error, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The user's id; `None` for the system.
    pub user_id: Option<i64>,
    /// A user's login, or `system:<job>` (recorded as the author of what it does).
    pub login: String,
    pub display_name: String,
    /// `None` for the system, which the operator runs with the database's own rights.
    pub role: Option<Role>,
    pub level: DelegationLevel,
    /// The purpose an API client declared for its reads (`X-Access-Purpose`), recorded in the
    /// access log instead of the use case's own (issue 23).
    pub declared_purpose: Option<crate::purpose::Purpose>,
}

impl Actor {
    /// A user of the application.
    pub fn user(user_id: i64, login: &str, display_name: &str, role: Role, level: DelegationLevel) -> Actor {
        Actor {
            user_id: Some(user_id),
            login: login.to_string(),
            display_name: display_name.to_string(),
            role: Some(role),
            level,
            declared_purpose: None,
        }
    }

    /// The system doing `job` (`import`, `batch`, `seed`…), recorded as `system:<job>`. A
    /// command run by the operator on the server holds every permission the database gives
    /// them anyway; delegation is that of the highest level.
    pub fn system(job: &str) -> Actor {
        let login = if job.starts_with("system:") { job.to_string() } else { format!("system:{job}") };
        Actor {
            user_id: None,
            display_name: login.clone(),
            login,
            role: None,
            level: DelegationLevel(DelegationLevel::MAX),
            declared_purpose: None,
        }
    }

    /// The same actor reading for `purpose` (declared by an API client).
    pub fn with_purpose(mut self, purpose: Option<crate::purpose::Purpose>) -> Actor {
        self.declared_purpose = purpose;
        self
    }

    pub fn is_system(&self) -> bool {
        self.role.is_none()
    }

    pub fn can(&self, permission: Permission) -> bool {
        match self.role {
            Some(role) => role.allows(permission),
            None => true,
        }
    }

    /// Refuses with `Forbidden` when the role lacks `permission`.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.can(permission) {
            return Ok(());
        }
        let role = self.role.map_or("système", Role::label);
        Err(Error::forbidden(format!("votre rôle ({role}) ne permet pas cette action")))
    }

    /// The store's view of who acts, for delegation checks.
    pub fn store_actor(&self) -> recouvre_store::approvals::Actor<'_> {
        recouvre_store::approvals::Actor { login: &self.login, level: self.level }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_decide_and_the_system_may_do_anything() {
        let officer = Actor::user(1, "camille", "Camille Martin", Role::Officer, DelegationLevel(1));
        assert!(officer.require(Permission::WorkCases).is_ok());
        let refused = officer.require(Permission::Administer).unwrap_err();
        assert_eq!(refused.http_status(), 403);
        assert!(refused.message.contains("Gestionnaire contentieux"), "{}", refused.message);
        let system = Actor::system("import");
        assert_eq!(system.login, "system:import");
        assert!(system.require(Permission::Administer).is_ok());
        assert_eq!(Actor::system("system:batch").login, "system:batch");
    }
}
