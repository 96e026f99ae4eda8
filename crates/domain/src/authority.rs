//! Who may do what: roles, permissions and delegation levels.
//!
//! The server checks every act against these rules (the screens only hide what a role cannot
//! do; hiding is a courtesy, refusing is the rule). A delegation level caps the amounts an
//! officer may commit the bank to alone; above it, somebody else approves (four-eyes).

use serde::{Deserialize, Serialize};

use crate::Money;

/// A user's role. One role per user; an administrator is not implicitly an officer.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Gestionnaire contentieux: works the cases assigned to them.
    Officer,
    /// Responsable d'équipe: distributes work, approves above officers' delegation.
    TeamLead,
    /// Conformité (LCB-FT): reviews AML alerts.
    Compliance,
    /// Contrôle comptable: suspense accounts, write-offs, accounting controls.
    AccountingControl,
    /// Membre du comité des risques / contentieux: reads reports and packs.
    CommitteeViewer,
    /// Administrateur: users, settings, reference data.
    Administrator,
}

/// What a request wants to do. Each handler names the permission it needs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read a case file (debtor identity, claims, timeline). Every read is logged.
    ReadCases,
    /// Change a case: notes, tags, debtor details, procedures.
    WorkCases,
    /// Assign cases to officers (répartition).
    AssignCases,
    /// Import files from core banking.
    ImportFiles,
    /// Use the calculators.
    UseCalculators,
    /// Read portfolio reports.
    ReadReports,
    /// Manage users, tokens, settings and reference data.
    Administer,
    /// Read the log of who consulted which debtor file.
    ReadAccessLog,
    /// Decide on another person's request above their delegation (within one's own level).
    Approve,
    /// Review AML/CFT alerts and file suspicious activity reports (compliance only).
    ReviewAml,
    /// Import the bank's statements, which book money on cases: a back-office act, never an
    /// officer's (a forged statement would credit any case; issue 23).
    ImportStatements,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Officer,
        Role::TeamLead,
        Role::Compliance,
        Role::AccountingControl,
        Role::CommitteeViewer,
        Role::Administrator,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::TeamLead => "team_lead",
            Role::Compliance => "compliance",
            Role::AccountingControl => "accounting_control",
            Role::CommitteeViewer => "committee_viewer",
            Role::Administrator => "administrator",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }

    /// French label for screens.
    pub fn label(self) -> &'static str {
        match self {
            Role::Officer => "Gestionnaire contentieux",
            Role::TeamLead => "Responsable d'équipe",
            Role::Compliance => "Conformité (LCB-FT)",
            Role::AccountingControl => "Contrôle comptable",
            Role::CommitteeViewer => "Membre de comité",
            Role::Administrator => "Administrateur",
        }
    }

    /// The permission table. Deliberately explicit: one line per role, no inheritance.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Officer => matches!(permission, ReadCases | WorkCases | ImportFiles | UseCalculators | Approve),
            Role::TeamLead => {
                matches!(
                    permission,
                    ReadCases | WorkCases | AssignCases | ImportFiles | UseCalculators | ReadReports | Approve
                )
            }
            Role::Compliance => matches!(permission, ReadCases | UseCalculators | ReadAccessLog | ReviewAml),
            Role::AccountingControl => {
                matches!(permission, ReadCases | UseCalculators | ReadReports | ImportStatements)
            }
            Role::CommitteeViewer => matches!(permission, ReadReports),
            Role::Administrator => matches!(permission, Administer | ImportFiles | UseCalculators | ReadAccessLog),
        }
    }
}

/// A delegation level: the largest amount (waiver, plan, cost) a user may commit alone.
/// Levels and their limits are the bank's policy; these are the demo defaults.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DelegationLevel(pub u8);

impl DelegationLevel {
    pub const MAX: u8 = 4;

    /// Default ceiling per level, in euros: 1 → 5 000, 2 → 20 000, 3 → 75 000, 4 → unlimited.
    pub fn default_limit(self) -> Option<Money> {
        match self.0 {
            0 => Some(Money::ZERO),
            1 => Some(Money::euros(5_000)),
            2 => Some(Money::euros(20_000)),
            3 => Some(Money::euros(75_000)),
            _ => None,
        }
    }

    /// Whether this level may approve `amount` alone.
    pub fn covers(self, amount: Money) -> bool {
        match self.default_limit() {
            Some(limit) => amount <= limit,
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn only_administrators_administer() {
        for role in Role::ALL {
            assert_eq!(role.allows(Permission::Administer), role == Role::Administrator);
        }
    }

    #[test]
    fn only_compliance_reviews_aml_alerts() {
        for role in Role::ALL {
            assert_eq!(role.allows(Permission::ReviewAml), role == Role::Compliance, "{role:?}");
        }
    }

    #[test]
    fn committee_viewers_do_not_read_debtor_files() {
        assert!(!Role::CommitteeViewer.allows(Permission::ReadCases));
        assert!(Role::CommitteeViewer.allows(Permission::ReadReports));
    }

    #[test]
    fn delegation_levels_cap_amounts() {
        assert!(DelegationLevel(1).covers(Money::euros(5_000)));
        assert!(!DelegationLevel(1).covers(Money::from_cents(500_001)));
        assert!(DelegationLevel(4).covers(Money::euros(10_000_000)));
        assert!(!DelegationLevel(0).covers(Money::from_cents(1)));
    }
}
