//! The index of the list's tokens by blocking key, so that a payer's name is compared only with
//! the names it can match.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::similarity::{hash_key, token_similarity, Token};

/// One name or alias of an entry, as tokens of the vocabulary.
#[derive(Clone, Debug)]
pub(super) struct Variant {
    pub(super) entry: u32,
    /// 0 for the entry's name, `n` for its alias `n - 1`.
    pub(super) name_number: u32,
    pub(super) tokens: Vec<u32>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct NameIndex {
    pub(super) variants: Vec<Variant>,
    /// The distinct tokens of all names, by spelling key.
    pub(super) vocabulary: Vec<Token>,
    /// Token → the one-token names containing it (sorted).
    pub(super) single: Vec<Vec<u32>>,
    /// Token → the names of two tokens or more containing it (sorted).
    pub(super) multi: Vec<Vec<u32>>,
    /// Blocking key → tokens (their hashes: a collision only adds a token to check).
    pub(super) keys: HashMap<u64, Vec<u32>, BuildHasherDefault<KeyHasher>>,
    /// Hash of a token's spelling key → the token (checked on lookup).
    pub(super) exact: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    /// Token → [`NameIndex::similar_tokens`] of it, computed the first time a payer's name has
    /// it (a pure function, remembered).
    pub(super) similar: Vec<OnceLock<Vec<(u32, f64)>>>,
    /// The same for payers' words that are not in the list — most of them: names repeat (the
    /// given names above all), so a statement's payers share most of their words. At most
    /// [`UNKNOWN_TOKENS_REMEMBERED_MAX`] words; beyond that, computed each time.
    pub(super) similar_unknown: UnknownTokens,
}

/// How many words absent from the list [`NameIndex`] remembers the pairings of (a few tens of
/// bytes each, plus their pairings, usually none or a few).
const UNKNOWN_TOKENS_REMEMBERED_MAX: usize = 200_000;

/// Pairings of words absent from the list, shared by the threads that screen with one list. A
/// clone of the list starts with none (they are a cache, not data).
#[derive(Default)]
pub(super) struct UnknownTokens(std::sync::Mutex<HashMap<Vec<char>, Pairings>>);

/// The list's tokens a word pairs with, sorted by id, with their similarity.
pub(super) type Pairings = std::sync::Arc<[(u32, f64)]>;

impl Clone for UnknownTokens {
    fn clone(&self) -> Self {
        UnknownTokens::default()
    }
}

impl std::fmt::Debug for UnknownTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnknownTokens")
    }
}

/// The list's tokens a payer's token pairs with, sorted by id, with their similarity.
pub(super) enum Similar<'a> {
    Known(&'a [(u32, f64)]),
    Unknown(Pairings),
}

impl std::ops::Deref for Similar<'_> {
    type Target = [(u32, f64)];

    fn deref(&self) -> &[(u32, f64)] {
        match self {
            Similar::Known(tokens) => tokens,
            Similar::Unknown(tokens) => tokens,
        }
    }
}

impl NameIndex {
    /// The id of a token of the list spelt as `token`.
    pub(super) fn known(&self, token: &Token) -> Option<u32> {
        let id = *self.exact.get(&hash_key(2, token.key.iter().copied()))?;
        (self.vocabulary[id as usize].key == token.key).then_some(id)
    }

    /// [`NameIndex::similar_tokens`] of a token absent from the list, remembered.
    pub(super) fn similar_unknown(&self, token: &Token) -> Pairings {
        // A poisoned lock only means another thread panicked around a map of pure values.
        let remembered = || self.similar_unknown.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(tokens) = remembered().get(&token.key) {
            return tokens.clone();
        }
        let tokens: Pairings = self.similar_tokens(token).into();
        let mut remembered = remembered();
        if remembered.len() < UNKNOWN_TOKENS_REMEMBERED_MAX {
            remembered.insert(token.key.clone(), tokens.clone());
        }
        tokens
    }

    /// The tokens of the list that pair with `token`, sorted by id, with their similarity.
    pub(super) fn similar_tokens(&self, token: &Token) -> Vec<(u32, f64)> {
        let mut ids: Vec<u32> =
            token.blocking_keys().iter().filter_map(|key| self.keys.get(key)).flatten().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| {
                let value = token_similarity(token, &self.vocabulary[id as usize]);
                (value > 0.0).then_some((id, value))
            })
            .collect()
    }
}

/// The keys are already hashes: pass them through.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0.rotate_left(8)) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}
