//! Text helpers of the generator's hot path: digits without `format!`, concatenation.

/// Writes the last `out.len()` decimal digits of `n` into `out`, zero-padded.
pub(super) fn put_digits(out: &mut [u8], mut n: u64) {
    for byte in out.iter_mut().rev() {
        *byte = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

// Invariant: callers pass ASCII they built themselves (a letter and digits from `put_digits`).
#[allow(clippy::expect_used)]
pub(super) fn ascii(bytes: &[u8]) -> String {
    std::str::from_utf8(bytes).expect("ASCII text").to_owned()
}

/// Appends `n` in decimal, left-padded with zeros to `width` digits (at most 20).
pub(super) fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut buffer = [b'0'; 20];
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = start.min(buffer.len() - width.min(buffer.len()));
    out.reserve(buffer.len() - start);
    for &digit in &buffer[start..] {
        out.push(char::from(digit));
    }
}

pub(super) fn text_of(parts: &[&str]) -> String {
    let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|part| text.push_str(part));
    text
}
