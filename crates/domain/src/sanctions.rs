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

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Default similarity threshold, in %: a match is reported when the score is at least this.
///
/// 85 % lets through a spelling variant on one token of two ("Mohamed Ali" / "Muhamad Ali" 92 %,
/// "Mouammar Kadhafi" / "Muammar Gaddafi" 89 %) and refuses two near-misses at once ("Karim
/// Benali" / "Karima Benani" 83 %). Compliance may choose another threshold when it loads a list.
pub const DEFAULT_THRESHOLD_PERCENT: u8 = 85;

/// Two tokens less similar than this (in %) do not pair at all (count 0 in the score): "Mohammed"
/// and "Muhamad" (75 %) still pair, "Jean" and "Jeanne" (67 %) or "Leroy" and "Luro" (70 %) do
/// not, so that a shared given name and a vaguely similar surname are not a match.
pub const TOKEN_FLOOR_PERCENT: u8 = 75;

/// The columns of the file, in the documented order (their order in a file is free).
pub const COLUMNS: [&str; 6] = ["id", "name", "aliases", "birth_date", "country", "source"];

/// Separator of the aliases inside the `aliases` column.
pub const ALIAS_SEPARATOR: char = '|';

/// Words dropped from names (sorted: looked up by binary search). See the module doc.
#[rustfmt::skip]
const IGNORED_WORDS: [&str; 49] = [
    "af", "al", "and", "ben", "bin", "bint", "da", "das", "de", "del", "della", "den", "der", "des", "di", "do",
    "docteur", "dos", "dr", "du", "el", "ep", "epouse", "epoux", "et", "ibn", "madame", "mademoiselle", "maitre",
    "me", "messieurs", "mlle", "mlles", "mme", "mmes", "monsieur", "mr", "mrs", "ms", "nee", "ou", "ould", "ter",
    "ul", "van", "veuve", "von", "vve", "zu",
];

/// A person or entity on the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionsEntry {
    /// Identifier in the bank's export (unique in the list), e.g. the register's reference.
    pub id: String,
    /// The main name, as written in the list.
    pub name: String,
    /// Other names and spellings (aka).
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// ISO 3166-1 alpha-2 code, in capitals (nationality or country of the entity).
    #[serde(default)]
    pub country: Option<String>,
    /// Where the entry comes from (register, regulation, decision), free text.
    #[serde(default)]
    pub source: Option<String>,
}

impl SanctionsEntry {
    /// The names the entry is known by: its name, then its aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A payer name that matches an entry of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionsMatch {
    pub entry_id: String,
    pub entry_name: String,
    /// The entry's name or alias that matched, as written in the list.
    pub matched_name: String,
    /// Similarity of the payer name with `matched_name`, 0–100 (see the module doc).
    pub score_percent: u8,
    /// What compliance checks next to tell a namesake from the listed person.
    pub birth_date: Option<NaiveDate>,
    pub country: Option<String>,
}

/// A list refused: the file, the line (the header is line 1), the field and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SanctionsError {
    #[error("{file}, ligne {line} : {reason}")]
    Line { file: String, line: u64, reason: String },
    #[error("{file}, ligne {line}, champ {field} : « {value} » {reason}")]
    Field { file: String, line: u64, field: String, value: String, reason: String },
    /// An entry refused by [`SanctionsList::from_entries`] (no line: the entries come from storage).
    #[error("liste de gel, entrée « {id} », champ {field} : « {value} » {reason}")]
    Entry { id: String, field: String, value: String, reason: String },
}

/// A list ready to screen names: the entries and their index.
#[derive(Clone)]
pub struct SanctionsList {
    entries: Vec<SanctionsEntry>,
    index: NameIndex,
}

impl std::fmt::Debug for SanctionsList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SanctionsList")
            .field("entries", &self.entries.len())
            .field("names", &self.index.variants.len())
            .field("tokens", &self.index.vocabulary.len())
            .finish()
    }
}

impl SanctionsList {
    /// Reads a list file (docs/formats/sanctions-list.md). `file_name` only names the file in
    /// error messages. The whole file is checked; the first bad line refuses it.
    pub fn parse_csv(text: &str, file_name: &str) -> Result<SanctionsList, SanctionsError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let line_error = |line: u64, reason: String| SanctionsError::Line { file: file_name.to_string(), line, reason };
        let mut reader =
            csv::ReaderBuilder::new().delimiter(b';').has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            None => {
                return Err(line_error(
                    1,
                    format!("le fichier est vide : il faut au moins l'en-tête {}", COLUMNS.join(";")),
                ))
            }
            Some(Err(error)) => return Err(line_error(1, format!("en-tête illisible : {error}"))),
            Some(Ok(header)) => header,
        };
        // The reader's own line count skips blank lines: count from the byte offsets instead.
        let mut counted = (0, 1);
        let mut line_at = |position: Option<&csv::Position>| {
            let bytes = text.as_bytes();
            let (from, line) = counted;
            let mut byte = position.map_or(0, |position| position.byte() as usize).clamp(from, bytes.len());
            // A record's position is where the reader started: before the blank lines it skipped.
            while byte < bytes.len() && matches!(bytes[byte], b'\r' | b'\n') {
                byte += 1;
            }
            let line = line + bytes[from..byte].iter().filter(|b| **b == b'\n').count() as u64;
            counted = (byte, line);
            line
        };
        let header_line = line_at(header.position());
        let mut positions: [Option<usize>; 6] = [None; 6];
        for (index, name) in header.iter().enumerate() {
            let name = name.trim();
            let Some(column) = COLUMNS.iter().position(|column| *column == name) else {
                return Err(line_error(
                    header_line,
                    format!("colonne inconnue « {name} » : les colonnes sont {}", COLUMNS.join(";")),
                ));
            };
            if positions[column].replace(index).is_some() {
                return Err(line_error(header_line, format!("colonne « {name} » en double")));
            }
        }
        for required in ["id", "name"] {
            let column = COLUMNS.iter().position(|column| *column == required).expect("known column");
            if positions[column].is_none() {
                return Err(line_error(header_line, format!("colonne obligatoire « {required} » absente")));
            }
        }

        let mut entries = Vec::new();
        let mut lines_by_id: HashMap<String, u64> = HashMap::new();
        for record in records {
            let record = record.map_err(|error| {
                let line = error.position().map_or(0, csv::Position::line);
                line_error(line, format!("ligne illisible : {error}"))
            })?;
            let line = line_at(record.position());
            if record.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            if record.len() != header.len() {
                return Err(line_error(
                    line,
                    format!("{} champs au lieu de {} (séparateur « ; »)", record.len(), header.len()),
                ));
            }
            let field = |name: &str| {
                let column = COLUMNS.iter().position(|column| *column == name).expect("known column");
                positions[column].and_then(|index| record.get(index)).map_or("", str::trim)
            };
            let refuse = |name: &str, value: &str, reason: String| SanctionsError::Field {
                file: file_name.to_string(),
                line,
                field: name.to_string(),
                value: value.to_string(),
                reason,
            };
            let id = field("id");
            check_id(id).map_err(|reason| refuse("id", id, reason))?;
            if let Some(first) = lines_by_id.get(id) {
                return Err(refuse("id", id, format!("est déjà l'identifiant de la ligne {first}")));
            }
            lines_by_id.insert(id.to_string(), line);
            let name = field("name");
            check_name(name).map_err(|reason| refuse("name", name, reason))?;
            let mut aliases = Vec::new();
            for alias in field("aliases").split(ALIAS_SEPARATOR).map(str::trim).filter(|alias| !alias.is_empty()) {
                check_name(alias).map_err(|reason| refuse("aliases", alias, reason))?;
                aliases.push(alias.to_string());
            }
            let birth_date = field("birth_date");
            let birth_date = parse_birth_date(birth_date).map_err(|reason| refuse("birth_date", birth_date, reason))?;
            let country = field("country");
            let country =
                parse_country(&country.to_ascii_uppercase()).map_err(|reason| refuse("country", country, reason))?;
            let source = Some(field("source")).filter(|source| !source.is_empty()).map(str::to_string);
            entries.push(SanctionsEntry {
                id: id.to_string(),
                name: name.to_string(),
                aliases,
                birth_date,
                country,
                source,
            });
        }
        Ok(SanctionsList::build(entries))
    }

    /// Rebuilds a list from its entries (as the storage keeps them, JSON), checking them as
    /// [`SanctionsList::parse_csv`] does: ids present and unique, names with at least one word,
    /// countries as two capitals.
    pub fn from_entries(entries: Vec<SanctionsEntry>) -> Result<SanctionsList, SanctionsError> {
        let mut ids = std::collections::HashSet::new();
        for entry in &entries {
            let refuse = |field: &str, value: &str, reason: String| SanctionsError::Entry {
                id: entry.id.clone(),
                field: field.to_string(),
                value: value.to_string(),
                reason,
            };
            if entry.id.trim() != entry.id {
                return Err(refuse("id", &entry.id, "a des espaces en tête ou en fin".to_string()));
            }
            check_id(&entry.id).map_err(|reason| refuse("id", &entry.id, reason))?;
            if !ids.insert(entry.id.as_str()) {
                return Err(refuse("id", &entry.id, "est en double".to_string()));
            }
            check_name(&entry.name).map_err(|reason| refuse("name", &entry.name, reason))?;
            for alias in &entry.aliases {
                check_name(alias).map_err(|reason| refuse("aliases", alias, reason))?;
            }
            if let Some(country) = &entry.country {
                parse_country(country).map_err(|reason| refuse("country", country, reason))?;
            }
        }
        Ok(SanctionsList::build(entries))
    }

    /// The entries, in the order of the file.
    pub fn entries(&self) -> &[SanctionsEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best match of `payer_name` among the names and aliases of the list, if its score is
    /// at least `threshold_percent` (0–100; above 100 nothing matches). Between equal scores,
    /// the name with fewer unpaired tokens wins, then the first in the file. An empty name, or
    /// one made of punctuation only, matches nothing.
    pub fn screen(&self, payer_name: &str, threshold_percent: u8) -> Option<SanctionsMatch> {
        let payer = tokens_of(payer_name);
        if payer.is_empty() || self.index.variants.is_empty() {
            return None;
        }
        // For each payer token, the list's tokens it pairs with (sorted by id) and their similarity.
        // A word of the list (a given name, often) has them ready after its first time.
        let similar: Vec<Similar<'_>> = payer
            .iter()
            .map(|token| match self.index.known(token) {
                Some(id) => Similar::Known(
                    self.index.similar[id as usize]
                        .get_or_init(|| self.index.similar_tokens(&self.index.vocabulary[id as usize]))
                        .as_slice(),
                ),
                None => Similar::Unknown(self.index.similar_unknown(token)),
            })
            .collect();
        let mut candidates: Vec<u32> = Vec::new();
        for token in similar.iter().flat_map(|tokens| tokens.iter()) {
            candidates.extend_from_slice(&self.index.single[token.0 as usize]);
        }
        if payer.len() >= 2 {
            // A name of two tokens or more needs two payer tokens: keep the names reached by at
            // least two. Such a name is reached by some token other than the one reaching most
            // names: walk the others' postings and look the names up in the rest.
            let postings = |i: usize| similar[i].iter().map(|(id, _)| &self.index.multi[*id as usize]);
            let reaches = |i: usize, variant: &u32| postings(i).any(|list| list.binary_search(variant).is_ok());
            let largest = (0..payer.len()).max_by_key(|i| postings(*i).map(Vec::len).sum::<usize>()).unwrap_or(0);
            for i in (0..payer.len()).filter(|i| *i != largest) {
                for variant in postings(i).flatten() {
                    if (0..payer.len()).any(|j| j != i && reaches(j, variant)) {
                        candidates.push(*variant);
                    }
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let similarity = |payer_token: usize, list_token: u32| {
            let tokens = &similar[payer_token];
            tokens.binary_search_by_key(&list_token, |(id, _)| *id).map_or(0.0, |found| tokens[found].1)
        };
        self.best(payer.len(), candidates.into_iter(), similarity, threshold_percent)
    }

    /// Scores the candidate names and returns the best at or above the threshold.
    fn best(
        &self,
        payer_len: usize,
        candidates: impl Iterator<Item = u32>,
        similarity: impl Fn(usize, u32) -> f64,
        threshold_percent: u8,
    ) -> Option<SanctionsMatch> {
        let mut best: Option<(Score, u32)> = None;
        for candidate in candidates {
            let variant = &self.index.variants[candidate as usize];
            let Some(score) = score_tokens(payer_len, variant.tokens.len(), |i, j| similarity(i, variant.tokens[j]))
            else {
                continue;
            };
            if score.percent() < threshold_percent {
                continue;
            }
            let better = match &best {
                None => true,
                Some((current, current_variant)) => score
                    .value
                    .total_cmp(&current.value)
                    .then(current.unpaired.cmp(&score.unpaired))
                    .then(current_variant.cmp(&candidate))
                    .is_gt(),
            };
            if better {
                best = Some((score, candidate));
            }
        }
        let (score, variant) = best?;
        let variant = &self.index.variants[variant as usize];
        let entry = &self.entries[variant.entry as usize];
        Some(SanctionsMatch {
            entry_id: entry.id.clone(),
            entry_name: entry.name.clone(),
            matched_name: entry.names().nth(variant.name_number as usize).unwrap_or(&entry.name).to_string(),
            score_percent: score.percent(),
            birth_date: entry.birth_date,
            country: entry.country.clone(),
        })
    }

    /// Builds the index of checked entries.
    fn build(entries: Vec<SanctionsEntry>) -> SanctionsList {
        let mut index = NameIndex::default();
        let mut token_ids: HashMap<Vec<char>, u32> = HashMap::new();
        for (entry_number, entry) in entries.iter().enumerate() {
            let mut seen: Vec<Vec<u32>> = Vec::new();
            for (name_number, name) in entry.names().enumerate() {
                let mut tokens = Vec::new();
                for token in tokens_of(name) {
                    let id = match token_ids.get(&token.key) {
                        Some(id) => *id,
                        None => {
                            let id = u32::try_from(index.vocabulary.len()).expect("fewer than 2^32 tokens");
                            token_ids.insert(token.key.clone(), id);
                            index.vocabulary.push(token);
                            index.single.push(Vec::new());
                            index.multi.push(Vec::new());
                            id
                        }
                    };
                    tokens.push(id);
                }
                let mut sorted = tokens.clone();
                sorted.sort_unstable();
                if tokens.is_empty() || seen.contains(&sorted) {
                    continue;
                }
                seen.push(sorted);
                let variant = u32::try_from(index.variants.len()).expect("fewer than 2^32 names");
                let postings = if tokens.len() == 1 { &mut index.single } else { &mut index.multi };
                for id in &tokens {
                    let list = &mut postings[*id as usize];
                    if list.last() != Some(&variant) {
                        list.push(variant);
                    }
                }
                index.variants.push(Variant {
                    entry: u32::try_from(entry_number).expect("fewer than 2^32 entries"),
                    name_number: u32::try_from(name_number).expect("fewer than 2^32 aliases"),
                    tokens,
                });
            }
        }
        for (id, token) in index.vocabulary.iter().enumerate() {
            let id = id as u32;
            for key in token.blocking_keys() {
                let ids = index.keys.entry(key).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
            index.exact.entry(hash_key(2, token.key.iter().copied())).or_insert(id);
        }
        index.similar = vec![OnceLock::new(); index.vocabulary.len()];
        SanctionsList { entries, index }
    }
}

fn check_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("est vide : l'identifiant est obligatoire".to_string());
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("est vide : le nom est obligatoire".to_string());
    }
    if normalize_name(name).is_empty() {
        return Err("ne contient aucun mot (ni lettre ni chiffre)".to_string());
    }
    Ok(())
}

fn parse_birth_date(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| if index == 4 || index == 7 { *byte == b'-' } else { byte.is_ascii_digit() });
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if shaped => Ok(Some(date)),
        _ => Err("n'est pas une date AAAA-MM-JJ".to_string()),
    }
}

/// `text` already in capitals when it comes from a file.
fn parse_country(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() == 2 && text.bytes().all(|byte| byte.is_ascii_uppercase()) {
        Ok(Some(text.to_string()))
    } else {
        Err("n'est pas un code pays ISO 3166 à deux lettres (FR, DE…)".to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/// The tokens a name is compared on: folded (lowercase ASCII for Latin letters, accents
/// removed), split on anything that is not a letter or a digit, ignored words dropped (see the
/// module doc), sorted. `normalize_name("DUPONT, Jean-Pierre")` is `["dupont", "jean", "pierre"]`.
pub fn normalize_name(name: &str) -> Vec<String> {
    let mut tokens = name_words(name);
    tokens.sort();
    tokens
}

/// The score (0–100) of a payer name against one name of the list, as [`SanctionsList::screen`]
/// computes it; 0 when the names cannot match (fewer than two paired tokens while the list name
/// has two or more). Asymmetric only through that rule.
pub fn name_score(list_name: &str, payer_name: &str) -> u8 {
    let list = tokens_of(list_name);
    let payer = tokens_of(payer_name);
    score_tokens(payer.len(), list.len(), |i, j| token_similarity(&payer[i], &list[j]))
        .map_or(0, |score| score.percent())
}

/// The words of a name, folded, ignored words dropped, in their order.
fn name_words(name: &str) -> Vec<String> {
    let folded = fold(name);
    let words: Vec<&str> =
        folded.split(' ').filter(|word| !word.is_empty() && !word.chars().all(char::is_numeric)).collect();
    let kept: Vec<&str> = words.iter().copied().filter(|word| !is_ignored(word)).collect();
    let chosen = if kept.is_empty() { words } else { kept };
    chosen.into_iter().map(str::to_string).collect()
}

fn is_ignored(word: &str) -> bool {
    (word.len() == 1 && word.is_ascii()) || IGNORED_WORDS.binary_search(&word).is_ok()
}

/// Lowercases and removes accents; every character that is neither a letter nor a digit
/// becomes a space.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(folded) = fold_char(c) {
            out.push_str(folded);
        } else if ('\u{300}'..='\u{36f}').contains(&c) {
            // A combining accent (decomposed text): the letter before it is already written.
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out
}

/// The hand-written fold table: Latin-1 Supplement and Latin Extended-A letters, and a few of
/// Latin Extended-B, to lowercase ASCII. `None` for anything else.
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        // Latin-1 Supplement (U+00C0–U+00FF; × and ÷ are not letters) and ª º.
        'À'..='Å' | 'à'..='å' | 'ª' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' => "c",
        'È'..='Ë' | 'è'..='ë' => "e",
        'Ì'..='Ï' | 'ì'..='ï' => "i",
        'Ð' | 'ð' => "d",
        'Ñ' | 'ñ' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'º' => "o",
        'Ù'..='Ü' | 'ù'..='ü' => "u",
        'Ý' | 'ý' | 'ÿ' => "y",
        'Þ' | 'þ' => "th",
        'ß' | 'ẞ' => "ss",
        // Latin Extended-A (U+0100–U+017F), in code point order.
        'Ā'..='ą' => "a",
        'Ć'..='č' => "c",
        'Ď'..='đ' => "d",
        'Ē'..='ě' => "e",
        'Ĝ'..='ģ' => "g",
        'Ĥ'..='ħ' => "h",
        'Ĩ'..='ı' => "i",
        'Ĳ' | 'ĳ' => "ij",
        'Ĵ' | 'ĵ' => "j",
        'Ķ'..='ĸ' => "k",
        'Ĺ'..='ł' => "l",
        'Ń'..='ŋ' => "n",
        'Ō'..='ő' => "o",
        'Œ' | 'œ' => "oe",
        'Ŕ'..='ř' => "r",
        'Ś'..='š' | 'ſ' => "s",
        'Ţ'..='ŧ' => "t",
        'Ũ'..='ų' => "u",
        'Ŵ' | 'ŵ' => "w",
        'Ŷ'..='Ÿ' => "y",
        'Ź'..='ž' => "z",
        // A few of Latin Extended-B: Romanian, Vietnamese, pinyin, Azerbaijani.
        'Ș' | 'ș' => "s",
        'Ț' | 'ț' => "t",
        'Ơ' | 'ơ' | 'Ǒ' | 'ǒ' => "o",
        'Ư' | 'ư' | 'Ǔ' | 'ǔ' => "u",
        'Ǎ' | 'ǎ' => "a",
        'Ǐ' | 'ǐ' => "i",
        'Ə' | 'ə' => "e",
        'Ǧ' | 'ǧ' => "g",
        'ƒ' => "f",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Similarity

/// A token as compared: its spelling key and its consonant skeleton.
#[derive(Clone, Debug)]
struct Token {
    key: Vec<char>,
    skeleton: Vec<char>,
}

impl Token {
    /// From a folded word: `ph` → `f`, `ou` → `u`.
    fn new(word: &str) -> Token {
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
    fn blocking_keys(&self) -> Vec<u64> {
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

fn tokens_of(name: &str) -> Vec<Token> {
    name_words(name).iter().map(|word| Token::new(word)).collect()
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Consonants that transliterations and spellings confuse (a substitution costs ½).
fn close_consonants(a: char, b: char) -> bool {
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
fn skeleton(key: &[char]) -> Vec<char> {
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
fn token_similarity(a: &Token, b: &Token) -> f64 {
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
fn one_deletion_apart(a: &[char], b: &[char]) -> bool {
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
fn weighted_distance(a: &[char], b: &[char]) -> u32 {
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
struct Score {
    /// Mean similarity of the shorter name's tokens, 0 to 1.
    value: f64,
    /// Tokens of either name left without a pair (ranks equal scores).
    unpaired: usize,
}

impl Score {
    fn percent(&self) -> u8 {
        (self.value * 100.0 + 1e-9).floor().clamp(0.0, 100.0) as u8
    }
}

/// Pairs the tokens greedily (best similarity first, then the lowest indexes) and scores; `None`
/// when too few tokens pair. `similarity(i, j)` compares payer token `i` with list token `j`.
fn score_tokens(payer_len: usize, list_len: usize, similarity: impl Fn(usize, usize) -> f64) -> Option<Score> {
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

// ---------------------------------------------------------------------------------------------
// Index

/// One name or alias of an entry, as tokens of the vocabulary.
#[derive(Clone, Debug)]
struct Variant {
    entry: u32,
    /// 0 for the entry's name, `n` for its alias `n - 1`.
    name_number: u32,
    tokens: Vec<u32>,
}

#[derive(Clone, Debug, Default)]
struct NameIndex {
    variants: Vec<Variant>,
    /// The distinct tokens of all names, by spelling key.
    vocabulary: Vec<Token>,
    /// Token → the one-token names containing it (sorted).
    single: Vec<Vec<u32>>,
    /// Token → the names of two tokens or more containing it (sorted).
    multi: Vec<Vec<u32>>,
    /// Blocking key → tokens (their hashes: a collision only adds a token to check).
    keys: HashMap<u64, Vec<u32>, BuildHasherDefault<KeyHasher>>,
    /// Hash of a token's spelling key → the token (checked on lookup).
    exact: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    /// Token → [`NameIndex::similar_tokens`] of it, computed the first time a payer's name has
    /// it (a pure function, remembered).
    similar: Vec<OnceLock<Vec<(u32, f64)>>>,
    /// The same for payers' words that are not in the list — most of them: names repeat (the
    /// given names above all), so a statement's payers share most of their words. At most
    /// [`UNKNOWN_TOKENS_REMEMBERED_MAX`] words; beyond that, computed each time.
    similar_unknown: UnknownTokens,
}

/// How many words absent from the list [`NameIndex`] remembers the pairings of (a few tens of
/// bytes each, plus their pairings, usually none or a few).
const UNKNOWN_TOKENS_REMEMBERED_MAX: usize = 200_000;

/// Pairings of words absent from the list, shared by the threads that screen with one list. A
/// clone of the list starts with none (they are a cache, not data).
#[derive(Default)]
struct UnknownTokens(std::sync::Mutex<HashMap<Vec<char>, Pairings>>);

/// The list's tokens a word pairs with, sorted by id, with their similarity.
type Pairings = std::sync::Arc<[(u32, f64)]>;

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
enum Similar<'a> {
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
    fn known(&self, token: &Token) -> Option<u32> {
        let id = *self.exact.get(&hash_key(2, token.key.iter().copied()))?;
        (self.vocabulary[id as usize].key == token.key).then_some(id)
    }

    /// [`NameIndex::similar_tokens`] of a token absent from the list, remembered.
    fn similar_unknown(&self, token: &Token) -> Pairings {
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
    fn similar_tokens(&self, token: &Token) -> Vec<(u32, f64)> {
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

/// FNV-1a over the characters, tagged by the kind of key, then mixed.
fn hash_key(tag: u8, chars: impl Iterator<Item = char>) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = (0xcbf2_9ce4_8422_2325_u64 ^ u64::from(tag)).wrapping_mul(PRIME);
    for c in chars {
        hash = (hash ^ u64::from(c)).wrapping_mul(PRIME);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}

/// The keys are already hashes: pass them through.
#[derive(Clone, Copy, Debug, Default)]
struct KeyHasher(u64);

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

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id;name;aliases;birth_date;country;source\n";

    fn list(lines: &str) -> SanctionsList {
        SanctionsList::parse_csv(&format!("{HEADER}{lines}"), "liste.csv").unwrap()
    }

    fn one(name: &str) -> SanctionsList {
        list(&format!("X1;{name};;;;\n"))
    }

    fn score(list_name: &str, payer: &str) -> Option<u8> {
        one(list_name).screen(payer, 0).map(|found| found.score_percent)
    }

    fn error(text: &str) -> String {
        SanctionsList::parse_csv(text, "liste.csv").unwrap_err().to_string()
    }

    #[test]
    fn the_fold_table_covers_latin_1_and_latin_extended_a() {
        for c in ('\u{c0}'..='\u{17f}').filter(|c| c.is_alphabetic()) {
            let folded = fold_char(c).unwrap_or_else(|| panic!("{c} (U+{:04X}) is not folded", c as u32));
            assert!(folded.bytes().all(|byte| byte.is_ascii_lowercase()), "{c} → {folded}");
        }
        assert_eq!(fold_char('×'), None);
        assert_eq!(fold("Ærøskøbing Straße Œuvre Łódź Þór Ĳssel"), "aeroskobing strasse oeuvre lodz thor ijssel");
        assert_eq!(fold("Ştefan Ţepeş"), "stefan tepes");
        assert_eq!(fold("Ștefan Țepeș"), "stefan tepes");
        // Decomposed text: the combining accents are dropped.
        assert_eq!(fold("He\u{301}le\u{300}ne"), "helene");
        // Other scripts are kept, lowercased.
        assert_eq!(fold("Иван"), "иван");
    }

    #[test]
    fn the_ignored_words_are_sorted() {
        assert!(IGNORED_WORDS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn names_are_normalised_to_sorted_folded_tokens() {
        assert_eq!(normalize_name("DUPONT, Jean-Pierre"), ["dupont", "jean", "pierre"]);
        assert_eq!(normalize_name("Hélène Müller"), normalize_name("HELENE MULLER"));
        assert_eq!(normalize_name("M. ou Mme d'Arc Jeanne"), ["arc", "jeanne"]);
        assert_eq!(normalize_name("Mouammar al-Kadhafi"), ["kadhafi", "mouammar"]);
        assert_eq!(normalize_name("Jean J. Dupont 2"), ["dupont", "jean"]);
        assert_eq!(normalize_name("Le Van Thanh"), ["le", "thanh"]);
        // Nothing but ignored words: they are kept.
        assert_eq!(normalize_name("Van Der"), ["der", "van"]);
        assert_eq!(normalize_name("Al-Qaida"), ["qaida"]);
        assert!(normalize_name("").is_empty());
        assert!(normalize_name(" -- ; '").is_empty());
    }

    #[test]
    fn token_similarities() {
        let similarity = |a: &str, b: &str| (token_similarity(&Token::new(a), &Token::new(b)) * 100.0).round();
        assert_eq!(similarity("mohamed", "mohammed"), 88.0);
        assert_eq!(similarity("mohamed", "muhamad"), 86.0);
        assert_eq!(similarity("kadhafi", "qadhafi"), 93.0);
        assert_eq!(similarity("kadhafi", "gaddafi"), 79.0);
        assert_eq!(similarity("mouammar", "muammar"), 100.0);
        assert_eq!(similarity("dupont", "dupond"), 92.0);
        // Compared but below the floor, or not compared at all.
        assert_eq!(similarity("jean", "jeanne"), 0.0);
        assert_eq!(similarity("leroy", "luro"), 0.0);
        assert_eq!(similarity("mohammed", "muhamad"), 75.0);
        assert_eq!(similarity("dupont", "dupuis"), 0.0);
        assert_eq!(similarity("benali", "benani"), 83.0);
        assert_eq!(similarity("martin", "dupont"), 0.0);
        // A swap of two letters is one typo.
        assert_eq!(similarity("martin", "matrin"), 83.0);
    }

    #[test]
    fn the_distance_on_three_rows_is_the_full_matrix_distance() {
        fn full_matrix(a: &[char], b: &[char]) -> u32 {
            let indel = |c: char| if c == 'h' { 1 } else { 2 };
            let mut d = vec![vec![0u32; b.len() + 1]; a.len() + 1];
            for i in 1..=a.len() {
                d[i][0] = d[i - 1][0] + indel(a[i - 1]);
            }
            for j in 1..=b.len() {
                d[0][j] = d[0][j - 1] + indel(b[j - 1]);
            }
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let (x, y) = (a[i - 1], b[j - 1]);
                    let substitution = if x == y {
                        0
                    } else if (is_vowel(x) && is_vowel(y)) || close_consonants(x, y) {
                        1
                    } else {
                        2
                    };
                    d[i][j] = (d[i - 1][j] + indel(x)).min(d[i][j - 1] + indel(y)).min(d[i - 1][j - 1] + substitution);
                    if i > 1 && j > 1 && x == b[j - 2] && a[i - 2] == y {
                        d[i][j] = d[i][j].min(d[i - 2][j - 2] + 2);
                    }
                }
            }
            d[a.len()][b.len()]
        }
        let long = "abdelrahmanebnmohammedalqahtaniabdelrahmanebnmohammedalqahtani";
        let words =
            ["", "h", "mohamed", "muhammad", "kadhafi", "gaddafi", "duopnt", "dupont", "ahmed", long, &long[3..]];
        for a in words {
            for b in words {
                let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                assert_eq!(weighted_distance(&a, &b), full_matrix(&a, &b), "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn one_deletion_apart_is_the_symspell_neighbourhood() {
        let chars = |text: &str| text.chars().collect::<Vec<_>>();
        let neighbourhood = |text: &str| {
            let chars = chars(text);
            let mut set = vec![chars.clone()];
            for index in 0..chars.len() {
                let mut deleted = chars.clone();
                deleted.remove(index);
                set.push(deleted);
            }
            set
        };
        let words = ["abc", "acb", "bca", "abcd", "abd", "ab", "xbc", "abx", "cab", "abdc", "a", "", "aab", "aba"];
        for a in words {
            for b in words {
                let meet = neighbourhood(a).iter().any(|x| neighbourhood(b).contains(x));
                assert_eq!(one_deletion_apart(&chars(a), &chars(b)), meet, "{a} / {b}");
            }
        }
    }

    #[test]
    fn accents_and_case_do_not_matter() {
        assert_eq!(score("Hélène Müller", "HELENE MULLER"), Some(100));
        assert_eq!(score("HELENE MULLER", "hélène müller"), Some(100));
        assert_eq!(score("François Nœl-Çelik", "Francois Noel Celik"), Some(100));
        assert_eq!(score("Bjørn Østergård", "Bjorn Ostergard"), Some(100));
        assert_eq!(score("Jürgen Weiß", "Jurgen Weiss"), Some(100));
        // The German transcription of ü is a spelling variant.
        assert_eq!(score("Hélène Müller", "Helene Mueller"), Some(92));
    }

    #[test]
    fn word_order_hyphens_and_punctuation_do_not_matter() {
        assert_eq!(score("Jean DUPONT", "DUPONT Jean"), Some(100));
        assert_eq!(score("Jean-Pierre DUPONT", "Jean Pierre Dupont"), Some(100));
        assert_eq!(score("Jean-Pierre DUPONT", "DUPONT, Jean Pierre"), Some(100));
        assert_eq!(score("Jean Pierre DUPONT", "M. OU MME DUPONT JEAN-PIERRE"), Some(100));
        assert_eq!(score("Anne d'Arc", "ARC ANNE"), Some(100));
    }

    #[test]
    fn spelling_variants_match() {
        assert_eq!(score("Mohamed Ali Hassan", "Mohammed Ali Hassan"), Some(95));
        assert_eq!(score("Mohamed Ali", "Muhamad Ali"), Some(92));
        assert_eq!(score("Mohammed Ali", "Muhamad Ali"), Some(87));
        assert_eq!(score("Mouammar Kadhafi", "Muammar Qadhafi"), Some(96));
        assert_eq!(score("Mouammar al-Kadhafi", "Muammar GADDAFI"), Some(89));
        assert_eq!(score("Oussama ben Laden", "Usama bin Laden"), Some(91));
        assert_eq!(score("Youssef Karimov", "Yusef Karimov"), Some(91));
        assert_eq!(score("Jean Dupont", "Jean Dupond"), Some(95));
        // One typo in a surname.
        assert_eq!(score("Jean Dupont", "Jean Duopnt"), Some(91));
    }

    #[test]
    fn a_missing_middle_name_still_matches() {
        assert_eq!(score("Ivan Petrovitch Sokolov", "Ivan Sokolov"), Some(100));
        assert_eq!(score("Ivan Sokolov", "Sokolov Ivan Petrovitch"), Some(100));
        // The closer name wins between equal scores.
        let both = list("A;Ivan Petrovitch Sokolov;;;;\nB;Ivan Sokolov;;;;\n");
        assert_eq!(both.screen("Ivan Sokolov", 85).unwrap().entry_id, "B");
        assert_eq!(both.screen("Sokolov Ivan Petrovitch", 85).unwrap().entry_id, "A");
    }

    #[test]
    fn an_alias_matches_and_is_named() {
        let list = list(
            "EU-1;Zéphyrin ÉCHANTILLON;Zefirin Echantillonov|Le Fantôme Gris;1970-03-15;FR;registre national des gels\n\
             EU-2;Jean DUPONT;;;;\n",
        );
        let found = list.screen("ECHANTILLONOV ZEFIRIN", DEFAULT_THRESHOLD_PERCENT).unwrap();
        assert_eq!(
            found,
            SanctionsMatch {
                entry_id: "EU-1".to_string(),
                entry_name: "Zéphyrin ÉCHANTILLON".to_string(),
                matched_name: "Zefirin Echantillonov".to_string(),
                score_percent: 100,
                birth_date: NaiveDate::from_ymd_opt(1970, 3, 15),
                country: Some("FR".to_string()),
            }
        );
        assert_eq!(list.screen("fantome gris", 85).unwrap().matched_name, "Le Fantôme Gris");
        // The name itself matches too, folded (zephyrin / zefirin: ph → f, y/i).
        assert_eq!(list.screen("Zephyrin Echantillon", 85).unwrap().matched_name, "Zéphyrin ÉCHANTILLON");
        let found = list.screen("Zefirin Echantillon", 85).unwrap();
        assert_eq!((found.matched_name.as_str(), found.score_percent), ("Zéphyrin ÉCHANTILLON", 96));
    }

    #[test]
    fn different_people_do_not_match() {
        // Sharing a given name, or a surname alone, is not enough.
        assert_eq!(score("Jean DUPONT", "Jean Martin"), None);
        assert_eq!(score("Jean DUPONT", "Dupont"), None);
        assert_eq!(score("Jean DUPONT", "M. Dupont"), None);
        assert_eq!(score("Jean DUPONT", "Marie Dupont"), None);
        assert_eq!(name_score("Jean DUPONT", "Jean Martin"), 0);
        // Similar names of other people.
        assert_eq!(score("Jean DUPONT", "Jeanne DUPUIS"), None);
        assert_eq!(score("Jean DUPONT", "Jeanne DUPONT"), None);
        assert_eq!(score("Jean DUPONT", "Jean DUPRÉ"), None);
        assert_eq!(score("Ahmed Haddad", "Ahmed Hamdan"), None);
        // Close on both tokens: below the default threshold, above a lower one.
        let karim = one("Karim BENALI");
        assert_eq!(name_score("Karim BENALI", "Karima Benani"), 83);
        assert_eq!(karim.screen("Karima Benani", DEFAULT_THRESHOLD_PERCENT), None);
        assert_eq!(karim.screen("Karima Benani", 80).unwrap().score_percent, 83);
        assert!(karim.screen("Karim Benali", 100).is_some());
        assert!(karim.screen("Karim Benani", 100).is_none());
        assert!(karim.screen("Karim Benali", 101).is_none());
        // Three tokens, one different: 67 %.
        assert_eq!(score("Mohamed Ali Hassan", "Mohamed Ali Traoré"), Some(66));
        assert_eq!(one("Mohamed Ali Hassan").screen("Mohamed Ali Traoré", DEFAULT_THRESHOLD_PERCENT), None);
    }

    #[test]
    fn a_one_token_name_matches_a_payer_containing_it() {
        let list = list("E1;Al-Qaida;Al-Qaeda;;;\n");
        assert_eq!(list.screen("AL QAIDA", 85).unwrap().score_percent, 100);
        assert_eq!(list.screen("Qaeda Trading Company", 85).unwrap().matched_name, "Al-Qaeda");
        assert!(list.screen("Trading Company", 85).is_none());
        // The other way round, a one-token payer never matches a longer name.
        assert!(one("Jean Dupont").screen("Dupont", 0).is_none());
    }

    #[test]
    fn empty_names_and_lists_match_nothing() {
        let list = one("Jean Dupont");
        assert!(list.screen("", 0).is_none());
        assert!(list.screen("   ", 0).is_none());
        assert!(list.screen("-- / ''", 0).is_none());
        let empty = SanctionsList::parse_csv(HEADER, "vide.csv").unwrap();
        assert!(empty.is_empty());
        assert_eq!(empty.len(), 0);
        assert!(empty.screen("Jean Dupont", 0).is_none());
        assert!(SanctionsList::from_entries(Vec::new()).unwrap().is_empty());
    }

    #[test]
    fn a_file_is_read_with_its_fields() {
        let text = "\u{feff}name;id;country;birth_date;source;aliases\n\
                    \"Dupont; Jean\";A1;fr;1980-02-29;\"registre national des gels, 2026\";J. Dupont | Jan Dupond |\n\
                    \n\
                    Société Exemple SARL;A2;;;;\n";
        let list = SanctionsList::parse_csv(text, "liste.csv").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            list.entries()[0],
            SanctionsEntry {
                id: "A1".to_string(),
                name: "Dupont; Jean".to_string(),
                aliases: vec!["J. Dupont".to_string(), "Jan Dupond".to_string()],
                birth_date: NaiveDate::from_ymd_opt(1980, 2, 29),
                country: Some("FR".to_string()),
                source: Some("registre national des gels, 2026".to_string()),
            }
        );
        assert_eq!(list.entries()[1].aliases, Vec::<String>::new());
        assert_eq!(list.entries()[1].country, None);
        // Only id and name are required.
        let short = SanctionsList::parse_csv("id;name\nB1;Ivan Sokolov\n", "court.csv").unwrap();
        assert_eq!(short.entries()[0].birth_date, None);
    }

    #[test]
    fn bad_lines_are_refused_with_file_line_field_and_value() {
        let bad = |line: &str| error(&format!("{HEADER}A1;Jean Dupont;;;;\nA2;Marie Curie;;;;\n\n{line}\n"));
        assert_eq!(
            bad("A3;Paul Durand;;31/02/1980;FR;"),
            "liste.csv, ligne 5, champ birth_date : « 31/02/1980 » n'est pas une date AAAA-MM-JJ"
        );
        assert_eq!(
            bad("A3;Paul Durand;;1980-02-30;;"),
            "liste.csv, ligne 5, champ birth_date : « 1980-02-30 » n'est pas une date AAAA-MM-JJ"
        );
        assert_eq!(
            bad("A3;Paul Durand;;;France;"),
            "liste.csv, ligne 5, champ country : « France » n'est pas un code pays ISO 3166 à deux lettres (FR, DE…)"
        );
        assert_eq!(
            bad(";Paul Durand;;;;"),
            "liste.csv, ligne 5, champ id : «  » est vide : l'identifiant est obligatoire"
        );
        assert_eq!(bad("A3; ;;;;"), "liste.csv, ligne 5, champ name : «  » est vide : le nom est obligatoire");
        assert_eq!(
            bad("A3;Paul Durand;P. Durand|--;;;"),
            "liste.csv, ligne 5, champ aliases : « -- » ne contient aucun mot (ni lettre ni chiffre)"
        );
        assert_eq!(bad("A3;Paul Durand;;"), "liste.csv, ligne 5 : 4 champs au lieu de 6 (séparateur « ; »)");
        assert_eq!(
            bad("A1;Paul Durand;;;;"),
            "liste.csv, ligne 5, champ id : « A1 » est déjà l'identifiant de la ligne 2"
        );
        let error = SanctionsList::parse_csv(&format!("{HEADER}A3;Paul;;1980-1-5;;"), "gel.csv").unwrap_err();
        assert_eq!(
            error,
            SanctionsError::Field {
                file: "gel.csv".to_string(),
                line: 2,
                field: "birth_date".to_string(),
                value: "1980-1-5".to_string(),
                reason: "n'est pas une date AAAA-MM-JJ".to_string(),
            }
        );
    }

    #[test]
    fn bad_headers_are_refused() {
        assert_eq!(error("\n\nid;nom\n"), "liste.csv, ligne 3 : colonne inconnue « nom » : les colonnes sont id;name;aliases;birth_date;country;source");
        assert_eq!(error(""), "liste.csv, ligne 1 : le fichier est vide : il faut au moins l'en-tête id;name;aliases;birth_date;country;source");
        assert_eq!(
            error("id;nom\n"),
            "liste.csv, ligne 1 : colonne inconnue « nom » : les colonnes sont id;name;aliases;birth_date;country;source"
        );
        assert_eq!(error("id;aliases\n"), "liste.csv, ligne 1 : colonne obligatoire « name » absente");
        assert_eq!(error("id;name;id\n"), "liste.csv, ligne 1 : colonne « id » en double");
        // A comma-separated file is one unknown column.
        assert!(error("id,name\nA1,Jean Dupont\n").contains("colonne inconnue « id,name »"));
    }

    #[test]
    fn entries_from_storage_are_checked() {
        let list = list("A1;Jean Dupont;Jan Dupond;1980-01-02;FR;registre\nA2;Marie Curie;;;;\n");
        let json = serde_json::to_string(list.entries()).unwrap();
        let entries: Vec<SanctionsEntry> = serde_json::from_str(&json).unwrap();
        let again = SanctionsList::from_entries(entries.clone()).unwrap();
        assert_eq!(again.entries(), list.entries());
        assert_eq!(again.screen("Dupont Jean", 85), list.screen("Dupont Jean", 85));
        // Missing optional fields in the JSON are empty.
        let minimal: Vec<SanctionsEntry> = serde_json::from_str(r#"[{"id": "B1", "name": "Ivan Sokolov"}]"#).unwrap();
        assert_eq!(SanctionsList::from_entries(minimal).unwrap().len(), 1);

        let mut duplicate = entries.clone();
        duplicate[1].id = "A1".to_string();
        assert_eq!(
            SanctionsList::from_entries(duplicate).unwrap_err().to_string(),
            "liste de gel, entrée « A1 », champ id : « A1 » est en double"
        );
        let mut nameless = entries.clone();
        nameless[1].aliases = vec!["...".to_string()];
        assert!(matches!(
            SanctionsList::from_entries(nameless).unwrap_err(),
            SanctionsError::Entry { field, value, .. } if field == "aliases" && value == "..."
        ));
        let mut country = entries;
        country[0].country = Some("fr".to_string());
        assert!(matches!(
            SanctionsList::from_entries(country).unwrap_err(),
            SanctionsError::Entry { field, .. } if field == "country"
        ));
    }

    #[test]
    fn the_example_list_is_valid() {
        let list =
            SanctionsList::parse_csv(include_str!("../data/sanctions_example.csv"), "sanctions_example.csv").unwrap();
        assert!(list.len() >= 10);
        let found = list.screen("ECHANTILLON ZEPHYRIN", DEFAULT_THRESHOLD_PERCENT).unwrap();
        assert_eq!(found.entry_id, "FICT-0001");
        let found = list.screen("Muhamad El Fictivi", DEFAULT_THRESHOLD_PERCENT).unwrap();
        assert_eq!(found.entry_id, "FICT-0003");
        assert!(list.screen("Jean Martin", DEFAULT_THRESHOLD_PERCENT).is_none());
    }

    // -----------------------------------------------------------------------------------------
    // A generated list: the index must answer as comparing with every name would.

    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    #[rustfmt::skip]
    const LIST_GIVEN: [&str; 40] = [
        "Mohamed", "Mohammed", "Muhammad", "Ahmed", "Ahmad", "Ali", "Omar", "Oussama", "Youssef", "Ibrahim", "Abdallah",
        "Hassan", "Hussein", "Khaled", "Karim", "Said", "Ivan", "Sergueï", "Dmitri", "Olga", "Vladimir", "Igor",
        "Nikolaï", "Anatoli", "Kim", "Li", "Wei", "José", "Carlos", "Juan", "Fatima", "Aïcha", "Leïla", "Mariam",
        "Abu Bakr", "Jean", "Pierre", "Hélène", "Björn", "Ştefan",
    ];
    #[rustfmt::skip]
    const SYLLABLES: [&str; 40] = [
        "ka", "ra", "mi", "sho", "vel", "dan", "zur", "bek", "lo", "tra", "ne", "gor", "fi", "sa", "mu", "ri", "ta",
        "ko", "bo", "lin", "dra", "vi", "har", "zen", "pol", "mar", "tu", "ga", "nik", "shi", "ro", "lu", "ez", "ov",
        "ev", "ich", "dze", "ba", "qa", "do",
    ];
    #[rustfmt::skip]
    const PAYER_GIVEN: [&str; 30] = [
        "Jean", "Marie", "Pierre", "Nathalie", "Isabelle", "Sylvie", "Philippe", "Michel", "Alain", "Patrick",
        "Nicolas", "Christophe", "Stéphane", "Sandrine", "Céline", "Julien", "Thomas", "Camille", "Léa", "Manon",
        "Mohamed", "Karim", "Nadia", "Sofiane", "Yasmine", "Kevin", "Émilie", "François", "Hélène", "Anaïs",
    ];
    #[rustfmt::skip]
    const PAYER_SURNAMES: [&str; 30] = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
        "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Benali",
    ];

    fn invented_surname(random: &mut Random) -> String {
        let syllables = 2 + random.below(2);
        let mut name: String = (0..syllables).map(|_| random.pick(&SYLLABLES)).collect();
        if random.below(4) == 0 {
            name.push_str(random.pick(&["ov", "ski", "i", "ine"]));
        }
        let mut chars = name.chars();
        chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
    }

    fn generated_list(size: usize, random: &mut Random) -> Vec<SanctionsEntry> {
        (0..size)
            .map(|number| {
                let mut name = format!("{} {}", random.pick(&LIST_GIVEN), invented_surname(random).to_uppercase());
                if random.below(3) == 0 {
                    name = format!("{} {}", random.pick(&LIST_GIVEN), name);
                }
                let aliases = (0..random.below(3))
                    .map(|_| format!("{} {}", invented_surname(random), random.pick(&LIST_GIVEN)))
                    .collect();
                SanctionsEntry {
                    id: format!("G{number:05}"),
                    name,
                    aliases,
                    birth_date: NaiveDate::from_ymd_opt(1950 + random.below(50) as i32, 1, 1 + random.below(28) as u32),
                    country: Some(random.pick(&["AF", "IR", "KP", "RU", "SY", "FR"]).to_string()),
                    source: None,
                }
            })
            .collect()
    }

    /// A variant of a listed name that must still match: reordered, accented, hyphenated,
    /// middle name dropped, one vowel changed.
    fn disguised(name: &str, random: &mut Random) -> String {
        let mut words: Vec<String> = name.split(' ').map(str::to_string).collect();
        if words.len() > 2 && random.below(2) == 0 {
            words.remove(0);
        }
        if random.below(2) == 0 {
            words.reverse();
        }
        if let Some(longest) = words.iter_mut().max_by_key(|word| word.len()) {
            if longest.len() >= 8 {
                *longest = longest.replacen('a', "e", 1);
            }
        }
        let separator = if random.below(2) == 0 { " " } else { "-" };
        let joined = words.join(separator).replacen('e', "é", 1);
        if random.below(2) == 0 {
            joined.to_lowercase()
        } else {
            joined.to_uppercase()
        }
    }

    fn generated_payers(count: usize, entries: &[SanctionsEntry], random: &mut Random) -> (Vec<String>, Vec<usize>) {
        let mut planted = Vec::new();
        let payers = (0..count)
            .map(|number| match number % 10 {
                0 => {
                    let entry = random.below(entries.len());
                    planted.push(number);
                    disguised(&entries[entry].name, random)
                }
                1..=3 => format!("{} {}", random.pick(&PAYER_GIVEN), invented_surname(random)),
                4 => format!("M OU MME {} {}", random.pick(&PAYER_SURNAMES), random.pick(&PAYER_GIVEN)),
                _ => format!("{} {}", random.pick(&PAYER_GIVEN), random.pick(&PAYER_SURNAMES).to_uppercase()),
            })
            .collect();
        (payers, planted)
    }

    /// The same screening without the index: every name of the list is scored.
    fn screen_every_name(list: &SanctionsList, payer_name: &str, threshold: u8) -> Option<SanctionsMatch> {
        let payer = tokens_of(payer_name);
        if payer.is_empty() {
            return None;
        }
        let vocabulary = &list.index.vocabulary;
        let every = 0..list.index.variants.len() as u32;
        list.best(payer.len(), every, |i, token| token_similarity(&payer[i], &vocabulary[token as usize]), threshold)
    }

    #[test]
    fn the_index_finds_what_comparing_every_name_finds() {
        let mut random = Random(0x5eed_1234_abcd_0042);
        let entries = generated_list(20_000, &mut random);
        let list = SanctionsList::from_entries(entries).unwrap();
        let (payers, planted) = generated_payers(2_000, list.entries(), &mut random);
        let found: Vec<Option<SanctionsMatch>> =
            payers.iter().map(|payer| list.screen(payer, DEFAULT_THRESHOLD_PERCENT)).collect();
        for number in &planted {
            assert!(found[*number].is_some(), "{} not found", payers[*number]);
        }
        let matched = found.iter().flatten().count();
        assert!(matched >= planted.len() && matched < payers.len() / 2, "{matched} matches");
        // Comparing with every name is slow in a debug build: a sample. The best match at a
        // threshold is the best match at 0 if its score reaches the threshold.
        for payer in payers.iter().step_by(40) {
            let best = screen_every_name(&list, payer, 0);
            assert_eq!(list.screen(payer, 0), best, "{payer}");
            for threshold in [DEFAULT_THRESHOLD_PERCENT, 60] {
                let expected = best.clone().filter(|found| found.score_percent >= threshold);
                assert_eq!(list.screen(payer, threshold), expected, "{payer}");
            }
        }
    }

    /// `cargo test --release -p recouvre-domain sanctions::tests::speed -- --ignored --nocapture`
    ///
    /// Prints the wall-clock time and this thread's CPU time (from `/proc/thread-self/schedstat`,
    /// Linux only), the latter being what counts on a machine busy with other work.
    #[test]
    #[ignore = "measures speed; run in release mode"]
    fn speed() {
        fn cpu_time() -> Option<std::time::Duration> {
            let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
            Some(std::time::Duration::from_nanos(text.split(' ').next()?.parse().ok()?))
        }
        let measure = |work: &mut dyn FnMut()| {
            let (wall, cpu) = (std::time::Instant::now(), cpu_time());
            work();
            let cpu = cpu.zip(cpu_time()).map(|(before, after)| after - before);
            format!("{:?} (CPU {:?})", wall.elapsed(), cpu.unwrap_or_default())
        };
        let mut random = Random(0x0dd_ba11_cafe_f00d);
        let entries = generated_list(20_000, &mut random);
        let mut list = None;
        let built = measure(&mut || list = Some(SanctionsList::from_entries(entries.clone()).unwrap()));
        let list = list.unwrap();
        let (payers, _) = generated_payers(100_000, list.entries(), &mut random);
        let mut matched = 0;
        let screened = measure(&mut || {
            matched = payers.iter().filter(|payer| list.screen(payer, DEFAULT_THRESHOLD_PERCENT).is_some()).count()
        });
        println!("{list:?} built in {built}; 100,000 payers screened in {screened}, {matched} matches");
    }
}
