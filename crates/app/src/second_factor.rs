//! The second factor at login (issue 23): a TOTP code is accepted once (RFC 6238 §5.2, the last
//! accepted step per user), and one-time recovery codes, hashed with Argon2id, stand in for a
//! lost phone. Enrolment is `crate::enrolment`; the security events are written by the caller
//! (`crate::identity`), which this module does not use.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use recouvre_store::users::User;

use crate::{App, Error, Result};

/// Recovery codes issued at once.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (without its dash): 10 base32 characters, 50 random bits,
/// behind a password and tried at most a few times before the backoff.
const RECOVERY_CODE_CHARS: usize = 10;

/// A fresh recovery code, as printed: `abcde-fghij` (base32, lower case).
pub fn new_recovery_code() -> String {
    let mut bytes = [0_u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    let text = crate::totp::base32_encode(&bytes).to_lowercase();
    let text = &text[..RECOVERY_CODE_CHARS];
    format!("{}-{}", &text[..5], &text[5..])
}

/// A recovery code as typed, in the form it is hashed: lower case, without spaces or dashes.
fn normalise(code: &str) -> String {
    code.chars().filter(|c| !matches!(c, ' ' | '-')).flat_map(char::to_lowercase).collect()
}

/// Whether what was typed in the code field is a TOTP code (six digits) rather than a recovery
/// code.
fn is_totp_code(code: &str) -> bool {
    let digits: String = code.chars().filter(|c| *c != ' ').collect();
    digits.len() == crate::totp::DIGITS as usize && digits.chars().all(|c| c.is_ascii_digit())
}

/// `count` fresh recovery codes and their Argon2id hashes, hashed on a blocking thread.
pub(crate) async fn issue_codes(count: usize) -> Result<(Vec<String>, Vec<String>)> {
    let codes: Vec<String> = (0..count).map(|_| new_recovery_code()).collect();
    let to_hash = codes.clone();
    let hashes = tokio::task::spawn_blocking(move || {
        to_hash
            .iter()
            .map(|code| {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(normalise(code).as_bytes(), &salt)
                    .map(|hash| hash.to_string())
                    .map_err(|error| Error::internal(format!("hachage d'un code de secours impossible : {error}")))
            })
            .collect::<Result<Vec<String>>>()
    })
    .await
    .map_err(|error| Error::internal(format!("hachage interrompu : {error}")))??;
    Ok((codes, hashes))
}

/// What the second factor presented at login came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// A fresh TOTP code, or no code from a user who needs none.
    Accepted,
    /// A recovery code, now used up; `left` remain.
    Recovery { left: usize },
    /// A code of a step already accepted (RFC 6238 §5.2): refused.
    Replayed,
    /// Missing or wrong.
    Refused,
}

impl Checked {
    pub fn accepted(self) -> bool {
        matches!(self, Checked::Accepted | Checked::Recovery { .. })
    }
}

/// Checks the second factor of `user`, whose password was just verified: a TOTP code not used
/// before, or an unused recovery code (then used up). A user not enrolled passes only if their
/// role does not require it.
pub(crate) async fn check(app: &App, user: &User, code: Option<&str>) -> Result<Checked> {
    let Some(secret) = recouvre_store::users::totp_secret(app.store(), user.id).await? else {
        let required = crate::totp::required_for(user.role);
        return Ok(if required { Checked::Refused } else { Checked::Accepted });
    };
    let Some(code) = code else { return Ok(Checked::Refused) };
    if is_totp_code(code) {
        let Some(step) = crate::totp::verify_step(&secret, code, app.now().timestamp()) else {
            return Ok(Checked::Refused);
        };
        // One conditional UPDATE: a code seen before (over a shoulder, in a proxy's log, a
        // phished form relayed late) finds its step already taken.
        return Ok(if recouvre_store::second_factor::accept_totp_step(app.store(), user.id, step).await? {
            Checked::Accepted
        } else {
            Checked::Replayed
        });
    }
    Ok(match use_recovery_code(app, user.id, code).await? {
        Some(left) => Checked::Recovery { left },
        None => Checked::Refused,
    })
}

/// Uses up the recovery code `typed` of `user_id` if it is one of theirs not used yet; returns
/// how many are left, or `None`.
async fn use_recovery_code(app: &App, user_id: i64, typed: &str) -> Result<Option<usize>> {
    let unused = recouvre_store::second_factor::unused_recovery_codes(app.store(), user_id).await?;
    let typed = normalise(typed);
    if unused.is_empty() || typed.len() != RECOVERY_CODE_CHARS {
        return Ok(None);
    }
    let hashes: Vec<(i64, String)> = unused.iter().map(|code| (code.id, code.code_hash.clone())).collect();
    let found = tokio::task::spawn_blocking(move || {
        hashes.into_iter().find_map(|(id, hash)| {
            let parsed = PasswordHash::new(&hash).ok()?;
            Argon2::default().verify_password(typed.as_bytes(), &parsed).is_ok().then_some(id)
        })
    })
    .await
    .map_err(|error| Error::internal(format!("vérification interrompue : {error}")))?;
    let Some(id) = found else { return Ok(None) };
    if !recouvre_store::second_factor::use_recovery_code(app.store(), id, app.now()).await? {
        // Used by a concurrent login a moment ago: once only.
        return Ok(None);
    }
    Ok(Some(unused.len() - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_random_characters_typed_in_any_case() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert_ne!(code, new_recovery_code());
        assert_eq!(normalise(&code.to_uppercase()), normalise(&code));
        assert_eq!(normalise(&code).len(), RECOVERY_CODE_CHARS);
        assert!(!is_totp_code(&code));
        assert!(is_totp_code("123 456"));
    }
}
