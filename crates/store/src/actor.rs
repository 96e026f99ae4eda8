//! Who acts on a case, with which authority: what the four-eyes rules (`approvals`) and the
//! workflow's delegation checks (`workflow`) read.

use recouvre_domain::authority::DelegationLevel;

/// Who asks, with which authority.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub login: &'a str,
    pub level: DelegationLevel,
}
