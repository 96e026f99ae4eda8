use chrono::NaiveDate;

use super::names::{fold, fold_char, IGNORED_WORDS};
use super::similarity::{
    close_consonants, is_vowel, one_deletion_apart, token_similarity, tokens_of, weighted_distance, Token,
};
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
    let words = ["", "h", "mohamed", "muhammad", "kadhafi", "gaddafi", "duopnt", "dupont", "ahmed", long, &long[3..]];
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
    assert_eq!(bad(";Paul Durand;;;;"), "liste.csv, ligne 5, champ id : «  » est vide : l'identifiant est obligatoire");
    assert_eq!(bad("A3; ;;;;"), "liste.csv, ligne 5, champ name : «  » est vide : le nom est obligatoire");
    assert_eq!(
        bad("A3;Paul Durand;P. Durand|--;;;"),
        "liste.csv, ligne 5, champ aliases : « -- » ne contient aucun mot (ni lettre ni chiffre)"
    );
    assert_eq!(bad("A3;Paul Durand;;"), "liste.csv, ligne 5 : 4 champs au lieu de 6 (séparateur « ; »)");
    assert_eq!(bad("A1;Paul Durand;;;;"), "liste.csv, ligne 5, champ id : « A1 » est déjà l'identifiant de la ligne 2");
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
    assert_eq!(
        error("\n\nid;nom\n"),
        "liste.csv, ligne 3 : colonne inconnue « nom » : les colonnes sont id;name;aliases;birth_date;country;source"
    );
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
        SanctionsList::parse_csv(include_str!("../../data/sanctions_example.csv"), "sanctions_example.csv").unwrap();
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
