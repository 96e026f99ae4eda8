//! Enrolment in the second factor (issue 23): new recovery codes issued by the operator, and a
//! user enrolling or renewing their own TOTP secret from a screen — behind their password and
//! the code in force, the new secret confirmed by a code before it replaces the old one.

use recouvre_domain::authority::Permission;

use crate::identity::{security_event, LoginThrottle};
use crate::second_factor::{issue_codes, RECOVERY_CODES};
use crate::{Actor, App, Error, Result};

/// New recovery codes for `login` (`recouvre user recovery-codes LOGIN`): the old ones, used or
/// not, stop working; the new ones are returned to be printed once.
pub async fn new_recovery_codes(app: &App, actor: &Actor, login: &str) -> Result<Vec<String>> {
    actor.require(Permission::Administer)?;
    let (codes, hashes) = issue_codes(RECOVERY_CODES).await?;
    recouvre_store::second_factor::replace_recovery_codes(app.store(), login, &hashes, app.now()).await?;
    security_event(app, "recovery_codes_issued", Some(login), None, &format!("par {}", actor.login)).await;
    Ok(codes)
}

/// Where a user stands with the second factor, for the enrolment screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrolment {
    /// A secret is in force.
    pub enrolled: bool,
    /// Their role must present a code.
    pub required: bool,
    /// A new secret waiting for its first code (shown again until confirmed).
    pub pending_secret: Option<String>,
    /// The `otpauth://` link of the pending secret.
    pub pending_uri: Option<String>,
    pub recovery_codes_left: usize,
}

fn user_id_of(actor: &Actor) -> Result<i64> {
    actor.user_id.ok_or_else(|| Error::forbidden("seul un utilisateur a un second facteur"))
}

/// The reader's own second factor.
pub async fn enrolment(app: &App, actor: &Actor) -> Result<Enrolment> {
    let user_id = user_id_of(actor)?;
    let enrolled = recouvre_store::users::totp_secret(app.store(), user_id).await?.is_some();
    let pending_secret = recouvre_store::second_factor::pending_secret(app.store(), user_id).await?;
    let left = recouvre_store::second_factor::unused_recovery_codes(app.store(), user_id).await?.len();
    Ok(Enrolment {
        enrolled,
        required: actor.role.is_some_and(crate::totp::required_for),
        pending_uri: pending_secret.as_deref().map(|secret| crate::totp::otpauth_uri(&actor.login, secret)),
        pending_secret,
        recovery_codes_left: left,
    })
}

/// Starts an enrolment (or a renewal) of the reader's own second factor: their password again,
/// and, if a secret is in force, a code of it (else a stolen session could take the second
/// factor over). Failures count in the login backoff. Returns the new secret, pending until
/// [`confirm_enrolment`].
pub async fn start_enrolment(
    app: &App,
    throttle: &LoginThrottle,
    actor: &Actor,
    password: &str,
    code: Option<&str>,
    address: Option<&str>,
) -> Result<String> {
    let user_id = user_id_of(actor)?;
    let refused = || Error::invalid("password", "bad_credentials", "mot de passe ou code incorrect");
    let wait = throttle.wait(&actor.login, address, app.now());
    if wait > 0 {
        return Err(Error::invalid(
            "password",
            "throttled",
            format!("trop de tentatives : patientez {wait} secondes avant de réessayer"),
        ));
    }
    let user = recouvre_store::users::by_id(app.store(), user_id).await?.ok_or_else(refused)?;
    let password_ok =
        crate::identity::verify_password_off_thread(password.to_string(), user.password_hash.clone()).await?;
    let enrolled = recouvre_store::users::totp_secret(app.store(), user_id).await?.is_some();
    let factor_ok =
        password_ok && (!enrolled || crate::identity::second_factor_checked(app, &user, code, address).await?);
    if !factor_ok {
        throttle.failed(&actor.login, address, app.now());
        security_event(app, "totp_enrolment_failed", Some(&actor.login), address, "").await;
        return Err(refused());
    }
    let secret = crate::totp::new_secret();
    recouvre_store::second_factor::set_pending_secret(app.store(), user_id, Some(&secret)).await?;
    Ok(secret)
}

/// Confirms the pending secret with a code it produced: it replaces the one in force, that code
/// is used up, and ten new recovery codes replace the old ones. Returns them, shown once.
pub async fn confirm_enrolment(app: &App, actor: &Actor, code: &str, address: Option<&str>) -> Result<Vec<String>> {
    let user_id = user_id_of(actor)?;
    let pending = recouvre_store::second_factor::pending_secret(app.store(), user_id)
        .await?
        .ok_or_else(|| Error::conflict("no_pending_secret", "aucune inscription en cours : recommencez"))?;
    let step = crate::totp::verify_step(&pending, code, app.now().timestamp()).ok_or_else(|| {
        Error::invalid(
            "code",
            "wrong_code",
            "ce code ne correspond pas : vérifiez la saisie du secret et l'heure du téléphone",
        )
    })?;
    let (codes, hashes) = issue_codes(RECOVERY_CODES).await?;
    if !recouvre_store::second_factor::confirm_secret(app.store(), user_id, step, &hashes, app.now()).await? {
        return Err(Error::conflict("no_pending_secret", "aucune inscription en cours : recommencez"));
    }
    security_event(app, "totp_enrolled", Some(&actor.login), address, "par l'utilisateur").await;
    Ok(codes)
}
