//! Similarity of tokens and names: spelling keys, consonant skeletons, a weighted distance and
//! the score of two names.

use super::names::name_words;

/// Two tokens less similar than this (in %) do not pair at all (count 0 in the score): "Mohammed"
/// and "Muhamad" (75 %) still pair, "Jean" and "Jeanne" (67 %) or "Leroy" and "Luro" (70 %) do
/// not, so that a shared given name and a vaguely similar surname are not a match.
pub const TOKEN_FLOOR_PERCENT: u8 = 75;

/// The score (0–100) of a payer name against one name of the list, as
/// [`SanctionsList::screen`](super::SanctionsList::screen) computes it; 0 when the names cannot match (fewer than two paired tokens while the list name
/// has two or more). Asymmetric only through that rule.
pub fn name_score(list_name: &str, payer_name: &str) -> u8 {
    let list = tokens_of(list_name);
    let payer = tokens_of(payer_name);
    score_tokens(payer.len(), list.len(), |i, j| token_similarity(&payer[i], &list[j]))
        .map_or(0, |score| score.percent())
}

/// A token as compared: its spelling key and its consonant skeleton.
#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) key: Vec<char>,
    pub(super) skeleton: Vec<char>,
}

impl Token {
    /// From a folded word: `ph` → `f`, `ou` → `u`.
    pub(super) fn new(word: &str) -> Token {
        let chars: Vec<char> = word.chars().collect();
        let mut key = Vec::with_capacity(chars.len());
        let mut index = 0;
        while index < chars.len() {
            match (chars[index], chars.get(index + 1)) {
                ('p', Some('h')) => {
                    key.push('f');
                    index += 2;
                }
                ('o', Some('u')) => {
                    key.push('u');
                    index += 2;
                }
                (c, _) => {
                    key.push(c);
                    index += 1;
                }
            }
        }
        let skeleton = skeleton(&key);
        Token { key, skeleton }
    }

    /// The blocking keys: two tokens that can pair share at least one (see [`token_similarity`]).
    pub(super) fn blocking_keys(&self) -> Vec<u64> {
        let mut keys = Vec::with_capacity(self.key.len() + 2);
        keys.push(hash_key(1, self.skeleton.iter().copied()));
        keys.push(hash_key(2, self.key.iter().copied()));
        for deleted in 0..self.key.len() {
            keys.push(hash_key(2, self.key.iter().enumerate().filter(|(index, _)| *index != deleted).map(|(_, c)| *c)));
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

pub(super) fn tokens_of(name: &str) -> Vec<Token> {
    name_words(name).iter().map(|word| Token::new(word)).collect()
}

pub(super) fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Consonants that transliterations and spellings confuse (a substitution costs ½).
pub(super) fn close_consonants(a: char, b: char) -> bool {
    let pair = if a < b { (a, b) } else { (b, a) };
    matches!(
        pair,
        ('c', 'k')
            | ('c', 'q')
            | ('k', 'q')
            | ('g', 'k')
            | ('g', 'q')
            | ('c', 's')
            | ('s', 'z')
            | ('d', 't')
            | ('b', 'p')
            | ('f', 'v')
            | ('v', 'w')
            | ('f', 'w')
            | ('j', 'y')
    )
}

/// Consonants without vowels and `h`, close consonants merged, repeats collapsed (a vowel
/// separates repeats, `h` does not): "mohammed", "muhamad" → `mmt`; "kadhafi", "gaddafi" → `ktf`.
pub(super) fn skeleton(key: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(key.len());
    let mut previous = None;
    for &c in key {
        if c == 'h' {
            continue;
        }
        if is_vowel(c) {
            previous = None;
            continue;
        }
        let class = match c {
            'c' | 'k' | 'q' | 'g' => 'k',
            's' | 'z' => 's',
            'd' | 't' => 't',
            'b' | 'p' => 'p',
            'f' | 'v' | 'w' => 'f',
            other => other,
        };
        if previous != Some(class) {
            out.push(class);
        }
        previous = Some(class);
    }
    out
}

/// Similarity of two tokens, 0 to 1; 0 when they may not pair (no shared blocking key, or below
/// [`TOKEN_FLOOR_PERCENT`]).
pub(super) fn token_similarity(a: &Token, b: &Token) -> f64 {
    if a.key == b.key {
        return 1.0;
    }
    if a.skeleton != b.skeleton && !one_deletion_apart(&a.key, &b.key) {
        return 0.0;
    }
    let longest = a.key.len().max(b.key.len());
    // Each missing letter costs at least ½: too different in length is below the floor anyway.
    let length_gap = longest - a.key.len().min(b.key.len());
    if (length_gap * 100) as f64 > 2.0 * longest as f64 * f64::from(100 - TOKEN_FLOOR_PERCENT) {
        return 0.0;
    }
    let similarity = 1.0 - f64::from(weighted_distance(&a.key, &b.key)) / (2 * longest) as f64;
    if similarity * 100.0 + 1e-9 >= f64::from(TOKEN_FLOOR_PERCENT) {
        similarity
    } else {
        0.0
    }
}

/// Whether deleting at most one character from each makes them equal (their SymSpell
/// neighbourhoods of distance 1 meet): one insertion, deletion, substitution or adjacent swap.
pub(super) fn one_deletion_apart(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            let rest = short.len() - prefix;
            let suffix = short.iter().rev().zip(long.iter().rev()).take(rest).take_while(|(x, y)| x == y).count();
            let (x, y) = (&short[prefix..short.len() - suffix], &long[prefix..long.len() - suffix]);
            // Past the common ends the first and last letters differ: one deletion removes the
            // first letter of one, the other the last letter of the other.
            x.len() <= 1 || x[1..] == y[..y.len() - 1] || y[1..] == x[..x.len() - 1]
        }
        1 => {
            let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[prefix..] == long[prefix + 1..]
        }
        _ => false,
    }
}

/// Weighted optimal-string-alignment distance, in half-units (see the module doc).
pub(super) fn weighted_distance(a: &[char], b: &[char]) -> u32 {
    let indel = |c: char| if c == 'h' { 1 } else { 2 };
    let substitution = |x: char, y: char| {
        if x == y {
            0
        } else if (is_vowel(x) && is_vowel(y)) || close_consonants(x, y) {
            1
        } else {
            2
        }
    };
    // Three rows of the matrix (the swap looks two rows back); on the stack for usual names.
    let width = b.len() + 1;
    let mut stack = [0u32; 3 * 48];
    let mut heap = Vec::new();
    let rows: &mut [u32] = if 3 * width <= stack.len() {
        &mut stack[..3 * width]
    } else {
        heap.resize(3 * width, 0);
        &mut heap
    };
    let (mut before, mut previous, mut current) = (0, width, 2 * width);
    for j in 1..width {
        rows[previous + j] = rows[previous + j - 1] + indel(b[j - 1]);
    }
    for i in 1..=a.len() {
        rows[current] = rows[previous] + indel(a[i - 1]);
        for j in 1..width {
            let mut best = (rows[previous + j] + indel(a[i - 1]))
                .min(rows[current + j - 1] + indel(b[j - 1]))
                .min(rows[previous + j - 1] + substitution(a[i - 1], b[j - 1]));
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[before + j - 2] + 2);
            }
            rows[current + j] = best;
        }
        (before, previous, current) = (previous, current, before);
    }
    rows[previous + b.len()]
}

/// The score of a name pair, from the similarities of their tokens.
pub(super) struct Score {
    /// Mean similarity of the shorter name's tokens, 0 to 1.
    pub(super) value: f64,
    /// Tokens of either name left without a pair (ranks equal scores).
    pub(super) unpaired: usize,
}

impl Score {
    pub(super) fn percent(&self) -> u8 {
        (self.value * 100.0 + 1e-9).floor().clamp(0.0, 100.0) as u8
    }
}

/// Pairs the tokens greedily (best similarity first, then the lowest indexes) and scores; `None`
/// when too few tokens pair. `similarity(i, j)` compares payer token `i` with list token `j`.
pub(super) fn score_tokens(
    payer_len: usize,
    list_len: usize,
    similarity: impl Fn(usize, usize) -> f64,
) -> Option<Score> {
    let shorter = payer_len.min(list_len);
    if shorter == 0 {
        return None;
    }
    let mut pairs: Vec<(f64, usize, usize)> = Vec::with_capacity(payer_len * list_len);
    for i in 0..payer_len {
        for j in 0..list_len {
            let value = similarity(i, j);
            if value > 0.0 {
                pairs.push((value, i, j));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut payer_used = vec![false; payer_len];
    let mut list_used = vec![false; list_len];
    let (mut paired, mut sum) = (0, 0.0);
    for (value, i, j) in pairs {
        if paired == shorter {
            break;
        }
        if !payer_used[i] && !list_used[j] {
            payer_used[i] = true;
            list_used[j] = true;
            paired += 1;
            sum += value;
        }
    }
    let required = if list_len == 1 { 1 } else { 2 };
    if paired < required {
        return None;
    }
    Some(Score { value: sum / shorter as f64, unpaired: payer_len + list_len - 2 * paired })
}

/// FNV-1a over the characters, tagged by the kind of key, then mixed.
pub(super) fn hash_key(tag: u8, chars: impl Iterator<Item = char>) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = (0xcbf2_9ce4_8422_2325_u64 ^ u64::from(tag)).wrapping_mul(PRIME);
    for c in chars {
        hash = (hash ^ u64::from(c)).wrapping_mul(PRIME);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}
