//! Screening payers' names against the asset-freeze list (liste de gel des avoirs): pure name
//! matching.
//!
//! The funds and economic resources of the persons and entities whose assets are frozen must
//! not be made available to them, directly or indirectly, and what they hold is frozen (Code
//! monétaire et financier, articles L562-1 and following; règlement (CE) n° 2580/2001 du Conseil
//! and the other European restrictive-measure regulations; the national register of asset
//! freezes, *registre national des gels*, published by the DG Trésor). Money received from a
//! listed person to repay a debt falls under the freeze, so every payer name read from a bank
//! statement is screened against the list before the money is booked (issue 9).
//!
//! The list is whatever the bank's compliance exports from those official lists; the file format
//! is ours, documented in `docs/formats/sanctions-list.md`: a semicolon-separated UTF-8 file with
//! the header `id;name;aliases;birth_date;country;source`, aliases separated by `|`. This module
//! reads text and returns values: no file, no clock.
//!
//! # API
//!
//! - [`SanctionsList::parse_csv`]`(text, file_name) -> Result<SanctionsList, SanctionsError>`:
//!   reads a list; a bad line is refused with the file, the line, the field and the value
//!   ([`SanctionsError::Field`]). A header alone is an empty list. Duplicate ids are refused.
//! - [`SanctionsList::from_entries`]`(Vec<SanctionsEntry>)`: the same from entries kept as JSON
//!   by the storage; [`SanctionsList::entries`], [`SanctionsList::len`],
//!   [`SanctionsList::is_empty`].
//! - [`SanctionsList::screen`]`(payer_name, threshold_percent) -> Option<SanctionsMatch>`: the
//!   best match at or above the threshold ([`DEFAULT_THRESHOLD_PERCENT`] = 85 by default).
//! - [`normalize_name`]`(name) -> Vec<String>`: the tokens a name is compared on;
//!   [`name_score`]`(list_name, payer_name) -> u8`: the score of two names, to explain a match.
//!
//! # How names are compared
//!
//! 1. **Folding** ([`normalize_name`]): letters are lowercased and their accents removed by a
//!    hand-written table covering Latin-1 and Latin Extended-A (plus a few letters of Latin
//!    Extended-B: Romanian ș ț, Vietnamese ơ ư, ǎ ǐ ǒ ǔ, ə, ẞ): `é` → `e`, `ç` → `c`, `ø` → `o`,
//!    `ß` → `ss`, `æ` → `ae`, `œ` → `oe`, `þ` → `th`, `ł` → `l`… Combining accents (text in
//!    decomposed form) are dropped. Anything that is not a letter or a digit (space, hyphen,
//!    apostrophe, comma, dot…) separates words: "Jean-Pierre" = "Jean Pierre", "d'Arc" = "d Arc".
//!    Letters of other scripts are kept, lowercased, but not transliterated.
//! 2. **Ignored words**: numbers, single ASCII letters (initials, the elided `d'` and `l'`),
//!    civility titles (`m`, `mme`, `mlle`, `monsieur`, `dr`…), joint-account words (`et`, `ou`,
//!    `epoux`, `nee`…) and name particles (`de`, `du`, `des`, `van`, `von`, `der`, `da`, `dos`,
//!    `el`, `al`, `ben`, `bin`, `ibn`, `ould`…) are dropped — unless nothing would be left, in
//!    which case all the words are kept. `le` and `la` are kept (Le Pen, Vietnamese Lê). Legal
//!    forms (`sarl`, `sa`, `ltd`…) are kept: dropping them would leave one-word company names that
//!    match every payer of that surname.
//! 3. **Tokens are compared as a set**, so word order does not matter ("DUPONT Jean" = "Jean
//!    Dupont"). Each token of the name with fewer tokens is paired with a distinct token of the
//!    other (greedily, best pairs first); tokens of the longer name left over cost nothing, which
//!    tolerates a missing middle name. The score is the mean similarity of the shorter name's
//!    tokens (an unpaired token counts 0), floored to a whole percent. A name of the list with
//!    two tokens or more needs at least two paired tokens: a shared given name or a surname alone
//!    never matches. A one-token list name (an entity such as "Al-Qaida" once `al` is dropped)
//!    matches any payer name containing that token.
//! 4. **Token similarity**: `1 − d / L`, where `L` is the longer token's length and `d` a
//!    weighted Damerau–Levenshtein distance (optimal string alignment) on a spelling key (`ph` →
//!    `f`, `ou` → `u`, the French transcription of /u/): insertion, deletion, substitution and
//!    swap of two adjacent letters cost 1, but a vowel for another vowel (y counts as a vowel),
//!    a consonant for a close one (c/k/q/g, c/s, s/z, d/t, b/p, f/v/w, j/y) and an inserted or
//!    deleted `h` cost ½. So "Mohamed"/"Mohammed" 88 %, "Mohamed"/"Muhamad" 86 %,
//!    "Kadhafi"/"Qadhafi" 93 %, "Jean"/"Jeanne" 67 %. Two tokens are compared only if they
//!    share their consonant skeleton (vowels and `h` removed, c/k/q/g, s/z, d/t, b/p and f/v/w
//!    merged, doubled letters collapsed: "Mohammed" and "Muhamad" both give `mmt`) or are one
//!    deletion apart each (one typo); otherwise, or below [`TOKEN_FLOOR_PERCENT`] (75 %), they
//!    do not pair.
//!
//! With the default threshold of 85 %, "Jean DUPONT" on the list matches "Dupont Jean",
//! "Jean Dupond", "Jean-Marie Dupont", but not "Jeanne Dupuis" (0 %), "Jean Martin" (one token
//! only) nor "Jeanne Dupont" (Jeanne/Jean 67 % does not pair); "Karim Benali" does not match
//! "Karima Benani" (83 %).
//!
//! # Speed
//!
//! Comparing every payer with every entry would be far too slow (100,000 payments a statement,
//! 20,000 entries). At load time the list builds an index: every distinct token of every name
//! and alias is filed under its blocking keys — its consonant skeleton, itself and each of its
//! one-letter deletions (SymSpell style). Two tokens can pair only if they share one of those
//! keys, so looking up a payer's tokens finds exactly the list tokens they can pair with; a name
//! of two tokens or more is scored only if two of the payer's tokens reached it. The index gives
//! the same answers as comparing with every entry (a test checks it on a generated list). The
//! list's tokens a payer's word pairs with are remembered the first time a payer has that word:
//! for words of the list, always; for the others, up to 200,000 words (names repeat, so most of a
//! statement's words have been seen before). Pure functions' results: [`SanctionsList`] stays
//! `Clone`, `Send` and `Sync`.
//!
//! Measured with the ignored test `sanctions::tests::speed` (release build, generated names):
//! indexing 20,000 entries (about 40,000 names and aliases) takes 0.2 to 0.3 s, screening
//! 100,000 payer names 1.3 to 1.9 s of CPU, 12 to 19 µs a name. Build the list once per import,
//! not once per payment.
//!
//! The files: the entries and their file format (`entry.rs`), the list, read and screened
//! (`list.rs`), name normalisation (`names.rs`), token and name similarity (`similarity.rs`) and
//! the index (`index.rs`).

mod entry;
mod index;
mod list;
mod names;
mod similarity;

#[cfg(test)]
mod tests;

pub use entry::{SanctionsEntry, SanctionsError, SanctionsMatch, ALIAS_SEPARATOR, COLUMNS};
pub use list::{SanctionsList, DEFAULT_THRESHOLD_PERCENT};
pub use names::normalize_name;
pub use similarity::{name_score, TOKEN_FLOOR_PERCENT};
