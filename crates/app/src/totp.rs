//! Time-based one-time passwords (TOTP, RFC 6238 over HOTP, RFC 4226): the second factor of the
//! roles that approve, control or administer (issue 23). HMAC-SHA1, 30-second steps, 6 digits:
//! what every authenticator application (FreeOTP, Google Authenticator, Microsoft Authenticator)
//! reads from an `otpauth://` link. Secrets are base32 (RFC 4648, no padding), 20 random bytes.

use hmac::{Hmac, Mac};
use rand::RngCore;
use recouvre_domain::authority::Role;
use sha1::Sha1;

/// Seconds per code.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Steps accepted either side of now: a phone's clock a little off, a code typed as it changed.
pub const SKEW_STEPS: i64 = 1;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Whether a role must present a code at login. Officers may enrol; once enrolled, they must too.
pub fn required_for(role: Role) -> bool {
    // Team leads approve write-offs, compliance reads AML data, accounting control imports
    // statements, administrators change the bank's IBAN and users, committee members are
    // partners from outside the recovery team.
    !matches!(role, Role::Officer)
}

/// A fresh secret, base32.
pub fn new_secret() -> String {
    let mut bytes = [0_u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    base32_encode(&bytes)
}

pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes base32, ignoring spaces, dashes, padding and case; `None` on another character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for c in text.chars().filter(|c| !matches!(c, ' ' | '-' | '=')) {
        let value = BASE32.iter().position(|b| char::from(*b) == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The HOTP code of `counter` (RFC 4226, section 5.3).
pub fn hotp(key: &[u8], counter: u64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key) else {
        // HMAC takes a key of any length; this branch cannot be taken.
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = (u32::from(digest[offset] & 0x7f) << 24)
        | (u32::from(digest[offset + 1]) << 16)
        | (u32::from(digest[offset + 2]) << 8)
        | u32::from(digest[offset + 3]);
    format!("{:0width$}", binary % 10_u32.pow(DIGITS), width = DIGITS as usize)
}

/// The TOTP code of a base32 secret at a Unix time (RFC 6238, T0 = 0).
pub fn code_at(secret: &str, unix_seconds: i64) -> Option<String> {
    let key = base32_decode(secret)?;
    Some(hotp(&key, u64::try_from(unix_seconds.div_euclid(STEP_SECONDS)).unwrap_or(0)))
}

/// Whether `code` is the secret's code at `unix_seconds`, give or take [`SKEW_STEPS`].
/// Compared in constant time. Says nothing of replays: a login uses [`verify_step`].
pub fn verify(secret: &str, code: &str, unix_seconds: i64) -> bool {
    verify_step(secret, code, unix_seconds).is_some()
}

/// The time step whose code `code` is, within [`SKEW_STEPS`] of `unix_seconds`, or `None`. The
/// caller refuses a step at or before the last one it accepted (RFC 6238 §5.2: "the verifier
/// MUST NOT accept the second attempt of the OTP after the successful validation has been
/// issued for the first OTP"). Every step of the window is computed and compared in constant
/// time, whichever matches.
pub fn verify_step(secret: &str, code: &str, unix_seconds: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    let key = base32_decode(secret)?;
    let step = unix_seconds.div_euclid(STEP_SECONDS);
    (-SKEW_STEPS..=SKEW_STEPS).fold(None, |found, delta| {
        let counter = u64::try_from(step + delta).unwrap_or(0);
        let matches = same_code(&hotp(&key, counter), &code);
        // The latest matching step: a code of two steps (never in practice) counts as the later.
        if matches {
            Some(step + delta)
        } else {
            found
        }
    })
}

/// The time step of `unix_seconds`.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// Compares two codes in constant time (like `identity::same_secret`, which this module may not
/// import: identity uses this module).
fn same_code(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The link an authenticator application reads (as a QR code, or typed).
pub fn otpauth_uri(login: &str, secret: &str) -> String {
    format!("otpauth://totp/Recouvre:{login}?secret={secret}&issuer=Recouvre&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B, SHA-1 column (the 20-byte ASCII secret "12345678901234567890"),
    /// read on 6 digits (the RFC prints 8; the last 6 are the 6-digit code).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at(&secret, time).unwrap(), code, "T = {time}");
        }
    }

    #[test]
    fn codes_are_accepted_one_step_either_side_and_not_further() {
        let secret = new_secret();
        let now = 1_700_000_000;
        let code = code_at(&secret, now).unwrap();
        assert!(verify(&secret, &code, now));
        assert!(verify(&secret, &code, now + STEP_SECONDS));
        assert!(!verify(&secret, &code, now + 3 * STEP_SECONDS));
        assert!(!verify(&secret, "000000x", now));
        assert!(!verify("not base32!", &code, now));
    }

    #[test]
    fn the_step_of_a_code_is_the_one_it_was_made_for() {
        let secret = new_secret();
        let now = 1_700_000_000;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(verify_step(&secret, &code, now), Some(step_of(now)));
        assert_eq!(verify_step(&secret, &code, now + STEP_SECONDS), Some(step_of(now)));
        assert_eq!(verify_step(&secret, "12345", now), None);
    }

    #[test]
    fn base32_round_trips() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            assert_eq!(base32_decode(&base32_encode(bytes)).unwrap(), bytes);
        }
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
    }
}
