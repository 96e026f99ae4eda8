//! Who acts on a case, with which authority: what the four-eyes rules (`approvals`) and the
//! workflow's delegation checks (`workflow`) read.

use recouvre_domain::authority::DelegationLevel;

/// The actor the case journal and the ledger name for what compliance does to a case: officers
/// must not learn that compliance looked at it (CMF L561-18), so no login appears.
pub const SYSTEM_COMPLIANCE: &str = "system:conformité";

/// Who asks, with which authority.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub login: &'a str,
    pub level: DelegationLevel,
}
