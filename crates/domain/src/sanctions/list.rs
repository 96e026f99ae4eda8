//! The list: read from a file or from storage, indexed once, then screened.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::entry::{
    check_id, check_name, parse_birth_date, parse_country, SanctionsEntry, SanctionsError, SanctionsMatch,
    ALIAS_SEPARATOR, COLUMNS,
};
use super::index::{NameIndex, Similar, Variant};
use super::similarity::{hash_key, score_tokens, tokens_of, Score};

/// Default similarity threshold, in %: a match is reported when the score is at least this.
///
/// 85 % lets through a spelling variant on one token of two ("Mohamed Ali" / "Muhamad Ali" 92 %,
/// "Mouammar Kadhafi" / "Muammar Gaddafi" 89 %) and refuses two near-misses at once ("Karim
/// Benali" / "Karima Benani" 83 %). Compliance may choose another threshold when it loads a list.
pub const DEFAULT_THRESHOLD_PERCENT: u8 = 85;

/// A list ready to screen names: the entries and their index.
#[derive(Clone)]
pub struct SanctionsList {
    pub(super) entries: Vec<SanctionsEntry>,
    pub(super) index: NameIndex,
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
            // Invariant: "id" and "name" are in the constant `COLUMNS`.
            #[allow(clippy::expect_used)]
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
            // Invariant: the closure is only called with names from the constant `COLUMNS`.
            #[allow(clippy::expect_used)]
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
    pub(super) fn best(
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
    // Invariant: the index numbers tokens, names and entries in `u32` to keep its postings small;
    // each count is at most the number of words of the list, and a list of four billion words
    // (tens of gigabytes) is not a list any authority publishes nor one Recouvre could load.
    #[allow(clippy::expect_used)]
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
