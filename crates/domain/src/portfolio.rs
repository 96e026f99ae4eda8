//! The deterministic demo portfolio generator.
//!
//! Produces a realistic French litigation portfolio (debtors, claims, guarantees, other accounts,
//! statuses, notes) for demos, load tests and end-to-end tests. Pure: no I/O, no clock, no threads,
//! no global random generator. Every case is drawn from its own small PRNG (SplitMix64) seeded from
//! `(seed, index)`, so case `i` depends only on `(seed, index, today, officers)`: several processes
//! can generate disjoint ranges with [`generate_one`], and [`generate`] streams any number of cases
//! lazily without holding them in memory.
//!
//! Indexes 0 to 9 are always the ten typical cases of `shared/domain/scenarios.md` (fixed data, dates
//! relative to `today`), so any portfolio of 10 cases or more contains all of them; the comment
//! on `scenario_case` says what each one holds.
//!
//! Identifiers are derived from the index through bijections, so they are unique across a
//! portfolio (and across processes generating disjoint ranges of the same portfolio):
//! customer numbers `C` + 9 digits (four per case: debtor, co-debtor, guarantor, spare; unique up
//! to 250 million cases, longer beyond), account numbers at the bank (11 digits, eight per case:
//! claims in slots 0–2, other accounts in slots 3–7) which also number the loan contracts
//! (`PP-2023-0123456789`), and the debtors' external IBANs (FR76, valid RIB key and ISO 13616
//! check digits).
//!
//! All the data are invented; e-mail addresses use `example.fr` / `example.com` only.

use std::fmt::Write as _;

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::case::{
    AccountKind, Breakdown, CaseStatus, Claim, ClaimNature, Employment, FamilySituation, Guarantee, GuaranteeKind,
    NewCase, OtherAccount, OverIndebtedness, PartyRole, Person, Protection,
};
use crate::Money;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortfolioSpec {
    /// Number of cases [`generate`] yields.
    pub cases: usize,
    /// Seed of the generator: same spec, same portfolio.
    pub seed: u64,
    /// The day the portfolio is generated for: every date is on or before it.
    pub today: NaiveDate,
    /// Logins of the officers to assign cases to; no assignment at all when empty.
    pub officers: Vec<String>,
}

/// Streams `spec.cases` cases, lazily: case `i` is `generate_one(spec, i)`.
pub fn generate(spec: &PortfolioSpec) -> impl Iterator<Item = NewCase> {
    let spec = spec.clone();
    let cases = spec.cases;
    (0..cases).map(move |index| generate_one(&spec, index))
}

/// Case number `index` of the portfolio. Depends only on `(seed, index, today, officers)`, not on
/// `spec.cases`: an index beyond `spec.cases` is allowed and yields the same case a larger
/// portfolio would hold.
pub fn generate_one(spec: &PortfolioSpec, index: usize) -> NewCase {
    if index < SCENARIOS {
        let mut case = scenario_case(index, spec.today);
        if !spec.officers.is_empty() {
            case.officer = Some(spec.officers[index % spec.officers.len()].clone());
        }
        case
    } else {
        random_case(spec, index)
    }
}

/// Builds a French IBAN (electronic form, no spaces) from the RIB parts: bank code (5), branch
/// code (5), account number (11, digits or upper-case letters) and RIB key (2). Computes the
/// ISO 13616 check digits (mod 97-10). A BBAN with a valid RIB key and an all-digit account
/// number always gives `FR76`.
pub fn french_iban(bank: &str, branch: &str, account: &str, key: &str) -> String {
    let mut remainder = 0u32;
    let bban = [bank, branch, account, key];
    // Rearranged form: BBAN, then "FR00"; letters count A = 10 … Z = 35.
    for c in bban.iter().flat_map(|part| part.chars()).chain("FR00".chars()) {
        remainder = match c.to_digit(36) {
            Some(v) if v < 10 => (remainder * 10 + v) % 97,
            Some(v) => (remainder * 100 + v) % 97,
            None => remainder,
        };
    }
    let check = 98 - remainder;
    let mut iban = String::with_capacity(27);
    let _ = write!(iban, "FR{check:02}{bank}{branch}{account}{key}");
    iban
}

/// The RIB key (clé RIB) of a French bank account: `97 - (89·bank + 15·branch + 3·account) mod 97`,
/// letters of the account number replaced by their RIB digit (A, J → 1; B, K, S → 2; …).
pub fn rib_key(bank: &str, branch: &str, account: &str) -> u32 {
    fn modulo(text: &str) -> u64 {
        text.chars().fold(0u64, |acc, c| {
            let digit = match c {
                '0'..='9' => c as u64 - '0' as u64,
                'A'..='I' => c as u64 - 'A' as u64 + 1,
                'J'..='R' => c as u64 - 'J' as u64 + 1,
                'S'..='Z' => c as u64 - 'S' as u64 + 2,
                _ => 0,
            };
            (acc * 10 + digit) % 97
        })
    }
    (97 - (89 * modulo(bank) + 15 * modulo(branch) + 3 * modulo(account)) % 97) as u32
}

// ---------------------------------------------------------------------------------------------
// The PRNG: SplitMix64, one stream per case.
// ---------------------------------------------------------------------------------------------

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Rng(u64);

impl Rng {
    fn for_case(seed: u64, index: usize) -> Rng {
        Rng(mix64(seed ^ mix64((index as u64).wrapping_add(0x632B_E59B_D9B4_E019))))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix64(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is far below anything observable here).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `per_mille` / 1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut draw = self.below(u64::from(total)) as u32;
        for &(item, weight) in items {
            if draw < weight {
                return item;
            }
            draw -= weight;
        }
        items[items.len() - 1].0
    }

    /// Right-skewed in `lo..=hi`: `lo + (hi - lo)·u₁·u₂` (median ≈ 19 % of the span, long tail),
    /// a log-normal-ish shape for amounts, computed in integers so it is the same everywhere.
    fn skewed(&mut self, lo: i64, hi: i64) -> i64 {
        let a = self.next_u64() >> 32;
        let b = self.next_u64() >> 32;
        lo + ((u128::from((hi - lo) as u64) * u128::from(a * b)) >> 64) as i64
    }

    /// Skewed towards `lo`: `lo + (hi - lo)·u²` (P(≤ lo + x) = √(x / span)).
    fn squared(&mut self, lo: i64, hi: i64) -> i64 {
        let a = self.next_u64() >> 32;
        lo + ((u128::from((hi - lo + 1) as u64) * u128::from(a * a)) >> 64) as i64
    }

    /// A date in `from..=to` (or `from` when `to` is earlier).
    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days();
        if span <= 0 {
            return from;
        }
        from + Days::new(self.range(0, span) as u64)
    }
}

fn days_before(date: NaiveDate, days: i64) -> NaiveDate {
    date - Days::new(days.max(0) as u64)
}

fn months_before(date: NaiveDate, months: i64) -> NaiveDate {
    date - Months::new(months.max(0) as u32)
}

// ---------------------------------------------------------------------------------------------
// Identifiers derived from the index.
// ---------------------------------------------------------------------------------------------

const SCENARIOS: usize = 10;
const PERSON_SLOTS: u64 = 4;
const ACCOUNT_SLOTS: u64 = 8;
const FIRST_OTHER_ACCOUNT_SLOT: u64 = 3;

/// `n ↦ n·mult + offset (mod modulus)` on each block of `modulus` numbers: a bijection when `mult`
/// is coprime with `modulus`, so distinct inputs give distinct, random-looking outputs.
fn scramble(n: u64, modulus: u64, mult: u64, offset: u64) -> u64 {
    (n / modulus) * modulus + ((n % modulus) * mult + offset) % modulus
}

fn customer_number(index: usize, slot: u64) -> String {
    // 3^18, coprime with 10^9.
    let n = scramble(index as u64 * PERSON_SLOTS + slot, 1_000_000_000, 387_420_489, 271_828_182);
    if n >= 1_000_000_000 {
        // Beyond 250 million cases: longer numbers, still unique.
        let mut text = String::from("C");
        push_digits(&mut text, n, 9);
        return text;
    }
    let mut text = *b"C000000000";
    put_digits(&mut text[1..], n);
    ascii(&text)
}

/// Number of an account at the bank (11 digits); also numbers loan contracts.
fn account_serial(index: usize, slot: u64) -> u64 {
    // 3^19, coprime with 10^10.
    scramble(index as u64 * ACCOUNT_SLOTS + slot, 10_000_000_000, 1_162_261_467, 3_141_592_653)
}

fn account_number(index: usize, slot: u64) -> String {
    let serial = account_serial(index, slot);
    let mut text = String::with_capacity(11);
    push_digits(&mut text, serial, 11);
    text
}

fn contract_ref(nature: ClaimNature, index: usize, slot: u64, opened: NaiveDate) -> String {
    let serial = account_serial(index, slot);
    let prefix = match nature {
        ClaimNature::Overdraft => return account_number(index, slot),
        ClaimNature::Card => {
            let mut text = String::with_capacity(13);
            text.push_str("CB-");
            push_digits(&mut text, serial, 10);
            return text;
        }
        ClaimNature::RevolvingCredit => "CR",
        ClaimNature::PersonalLoan => "PP",
        ClaimNature::Mortgage => "PI",
    };
    let mut text = String::with_capacity(18);
    text.push_str(prefix);
    text.push('-');
    push_digits(&mut text, opened.year().max(0) as u64, 4);
    text.push('-');
    push_digits(&mut text, serial, 10);
    text
}

/// A debtor's account at another bank, with a valid RIB key and IBAN; unique per person.
/// Computed in integers (the generator's hot path); equal to `french_iban` with `rib_key`.
fn external_iban(index: usize, slot: u64, bank: u64, branch: u64) -> String {
    let account = scramble(index as u64 * PERSON_SLOTS + slot, 10_000_000_000, 1_162_261_467, 5_772_156_649);
    let key = 97 - (89 * (bank % 97) + 15 * (branch % 97) + 3 * (account % 97)) % 97;
    // ISO 13616 on "BBAN FR00" ("FR00" reads 152700).
    let mut remainder = (bank * 100_000 + branch) % 97;
    remainder = (remainder * 100_000_000_000 + account) % 97;
    remainder = (remainder * 100 + key) % 97;
    remainder = (remainder * 1_000_000 + 152_700) % 97;
    let mut iban = *b"FR0000000000000000000000000";
    put_digits(&mut iban[2..4], 98 - remainder);
    put_digits(&mut iban[4..9], bank);
    put_digits(&mut iban[9..14], branch);
    put_digits(&mut iban[14..25], account);
    put_digits(&mut iban[25..27], key);
    ascii(&iban)
}

/// Writes the last `out.len()` decimal digits of `n` into `out`, zero-padded.
fn put_digits(out: &mut [u8], mut n: u64) {
    for byte in out.iter_mut().rev() {
        *byte = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

fn ascii(bytes: &[u8]) -> String {
    std::str::from_utf8(bytes).expect("ASCII text").to_owned()
}

/// Appends `n` in decimal, left-padded with zeros to `width` digits (at most 20).
fn push_digits(out: &mut String, mut n: u64, width: usize) {
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

// ---------------------------------------------------------------------------------------------
// Reference tables (invented people, real places).
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin",
    "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval", "Denis",
    "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard",
    "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez",
    "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard",
    "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe",
    "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume",
    "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez",
    "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury",
    "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty", "Aubry", "Guyot", "Carré",
    "Charles", "Renault", "Charpentier", "Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé",
    "Schneider", "Fernandez", "Le Gall", "Collet", "Léger", "Bouvier", "Julien", "Prévost",
    "Millet", "Perrot", "Le Roux", "Weber", "Hoarau", "Nguyen", "Da Silva", "Haddad", "Wagner",
    "Fischer", "Hoffmann",
];

#[rustfmt::skip]
const MALE_FIRST_NAMES: &[&str] = &[
    "Jean", "Pierre", "Michel", "André", "Philippe", "Alain", "Jacques", "Bernard", "Daniel",
    "Patrick", "Christian", "Nicolas", "Éric", "Christophe", "Laurent", "Frédéric", "Stéphane",
    "David", "Olivier", "Sébastien", "Julien", "Thierry", "Pascal", "Vincent", "François", "Thomas",
    "Guillaume", "Jérôme", "Maxime", "Alexandre", "Antoine", "Kevin", "Romain", "Anthony",
    "Mathieu", "Hugo", "Lucas", "Théo", "Louis", "Gabriel", "Arthur", "Raphaël", "Léo", "Jules",
    "Enzo", "Mohamed", "Karim", "Mehdi", "Yann", "Loïc", "Gilles", "Didier", "Dominique", "Gérard",
    "Serge", "Bruno", "René", "Claude", "Marcel", "Georges", "Henri", "Jean-Pierre", "Jean-Claude",
    "Jean-Luc", "Jean-Marc", "Fabrice", "Cédric", "Benoît", "Damien", "Yannick", "Hervé", "Arnaud",
    "Xavier", "Florian", "Quentin",
];

#[rustfmt::skip]
const FEMALE_FIRST_NAMES: &[&str] = &[
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Monique", "Christine",
    "Martine", "Valérie", "Sandrine", "Stéphanie", "Céline", "Véronique", "Sophie", "Nicole",
    "Chantal", "Patricia", "Anne", "Brigitte", "Julie", "Aurélie", "Émilie", "Camille", "Laura",
    "Sarah", "Manon", "Léa", "Chloé", "Emma", "Inès", "Jade", "Louise", "Alice", "Pauline",
    "Marion", "Claire", "Caroline", "Audrey", "Virginie", "Delphine", "Laetitia", "Élodie",
    "Mélanie", "Jessica", "Amandine", "Karine", "Florence", "Hélène", "Corinne", "Jacqueline",
    "Denise", "Simone", "Jeanne", "Yvette", "Danielle", "Josiane", "Annie", "Michèle", "Mireille",
    "Agnès", "Béatrice", "Laurence", "Élise", "Charlotte", "Lucie", "Océane", "Justine", "Anaïs",
    "Fatima", "Nadia", "Anne-Sophie", "Marie-Christine", "Sabrina", "Gaëlle",
];

const STREET_TYPES: &[(&str, u32)] =
    &[("rue", 55), ("avenue", 12), ("boulevard", 6), ("impasse", 8), ("allée", 8), ("chemin", 7), ("place", 4)];

#[rustfmt::skip]
const STREET_NAMES: &[&str] = &[
    "de la République", "Victor Hugo", "Jean Jaurès", "de la Gare", "Pasteur",
    "du Général de Gaulle", "de la Paix", "des Écoles", "du Moulin", "de l'Église", "Gambetta",
    "Voltaire", "Émile Zola", "Jules Ferry", "de la Mairie", "des Lilas", "des Roses", "du Stade",
    "de la Liberté", "Carnot", "Anatole France", "Paul Bert", "du 8 Mai 1945", "du 11 Novembre",
    "Jean Moulin", "de Verdun", "de Strasbourg", "de Paris", "des Acacias", "du Château",
    "des Tilleuls", "du Port", "de la Fontaine", "Georges Clemenceau", "d'Alsace-Lorraine",
    "des Peupliers", "Saint-Martin", "du Marché", "des Vignes", "des Champs", "de la Croix",
    "Pierre et Marie Curie", "Aristide Briand", "du Maréchal Foch", "Jean Macé", "Henri Barbusse",
    "des Cerisiers", "du Lavoir", "des Prés", "Condorcet",
];

/// (postcode, city, department with its article — "UDAF du Rhône").
const CITIES: &[(&str, &str, &str)] = &[
    ("75011", "Paris", "de Paris"),
    ("75015", "Paris", "de Paris"),
    ("75018", "Paris", "de Paris"),
    ("75020", "Paris", "de Paris"),
    ("13001", "Marseille", "des Bouches-du-Rhône"),
    ("13013", "Marseille", "des Bouches-du-Rhône"),
    ("13090", "Aix-en-Provence", "des Bouches-du-Rhône"),
    ("69003", "Lyon", "du Rhône"),
    ("69008", "Lyon", "du Rhône"),
    ("69100", "Villeurbanne", "du Rhône"),
    ("31000", "Toulouse", "de la Haute-Garonne"),
    ("06000", "Nice", "des Alpes-Maritimes"),
    ("44000", "Nantes", "de la Loire-Atlantique"),
    ("34000", "Montpellier", "de l'Hérault"),
    ("67000", "Strasbourg", "du Bas-Rhin"),
    ("67500", "Haguenau", "du Bas-Rhin"),
    ("68100", "Mulhouse", "du Haut-Rhin"),
    ("68000", "Colmar", "du Haut-Rhin"),
    ("57000", "Metz", "de la Moselle"),
    ("57100", "Thionville", "de la Moselle"),
    ("57200", "Sarreguemines", "de la Moselle"),
    ("33000", "Bordeaux", "de la Gironde"),
    ("59000", "Lille", "du Nord"),
    ("59100", "Roubaix", "du Nord"),
    ("59200", "Tourcoing", "du Nord"),
    ("35000", "Rennes", "d'Ille-et-Vilaine"),
    ("51100", "Reims", "de la Marne"),
    ("42000", "Saint-Étienne", "de la Loire"),
    ("83000", "Toulon", "du Var"),
    ("76600", "Le Havre", "de la Seine-Maritime"),
    ("76000", "Rouen", "de la Seine-Maritime"),
    ("38000", "Grenoble", "de l'Isère"),
    ("21000", "Dijon", "de la Côte-d'Or"),
    ("49000", "Angers", "de Maine-et-Loire"),
    ("30000", "Nîmes", "du Gard"),
    ("63000", "Clermont-Ferrand", "du Puy-de-Dôme"),
    ("72000", "Le Mans", "de la Sarthe"),
    ("29200", "Brest", "du Finistère"),
    ("29000", "Quimper", "du Finistère"),
    ("37000", "Tours", "d'Indre-et-Loire"),
    ("80000", "Amiens", "de la Somme"),
    ("87000", "Limoges", "de la Haute-Vienne"),
    ("74000", "Annecy", "de la Haute-Savoie"),
    ("66000", "Perpignan", "des Pyrénées-Orientales"),
    ("92100", "Boulogne-Billancourt", "des Hauts-de-Seine"),
    ("92000", "Nanterre", "des Hauts-de-Seine"),
    ("92600", "Asnières-sur-Seine", "des Hauts-de-Seine"),
    ("25000", "Besançon", "du Doubs"),
    ("45000", "Orléans", "du Loiret"),
    ("14000", "Caen", "du Calvados"),
    ("54000", "Nancy", "de Meurthe-et-Moselle"),
    ("93200", "Saint-Denis", "de la Seine-Saint-Denis"),
    ("93100", "Montreuil", "de la Seine-Saint-Denis"),
    ("95100", "Argenteuil", "du Val-d'Oise"),
    ("94400", "Vitry-sur-Seine", "du Val-de-Marne"),
    ("94000", "Créteil", "du Val-de-Marne"),
    ("84000", "Avignon", "de Vaucluse"),
    ("64000", "Pau", "des Pyrénées-Atlantiques"),
    ("64100", "Bayonne", "des Pyrénées-Atlantiques"),
    ("17000", "La Rochelle", "de la Charente-Maritime"),
    ("62100", "Calais", "du Pas-de-Calais"),
    ("62000", "Arras", "du Pas-de-Calais"),
    ("86000", "Poitiers", "de la Vienne"),
    ("56100", "Lorient", "du Morbihan"),
    ("26000", "Valence", "de la Drôme"),
    ("81000", "Albi", "du Tarn"),
    ("18000", "Bourges", "du Cher"),
    ("10000", "Troyes", "de l'Aube"),
    ("71100", "Chalon-sur-Saône", "de Saône-et-Loire"),
    ("65000", "Tarbes", "des Hautes-Pyrénées"),
    ("41000", "Blois", "de Loir-et-Cher"),
    ("11100", "Narbonne", "de l'Aude"),
    ("60000", "Beauvais", "de l'Oise"),
    ("03100", "Montluçon", "de l'Allier"),
    ("24000", "Périgueux", "de la Dordogne"),
    ("82000", "Montauban", "de Tarn-et-Garonne"),
    ("19100", "Brive-la-Gaillarde", "de la Corrèze"),
    ("88000", "Épinal", "des Vosges"),
    ("73000", "Chambéry", "de la Savoie"),
    ("01000", "Bourg-en-Bresse", "de l'Ain"),
    ("79000", "Niort", "des Deux-Sèvres"),
    ("53000", "Laval", "de la Mayenne"),
    ("85000", "La Roche-sur-Yon", "de la Vendée"),
    ("50100", "Cherbourg-en-Cotentin", "de la Manche"),
    ("97400", "Saint-Denis", "de La Réunion"),
];

/// Bank codes of the debtors' accounts elsewhere (the account at this bank is closed).
#[rustfmt::skip]
const OTHER_BANKS: &[u64] = &[
    30_004, 30_003, 30_002, 20_041, 10_278, 11_306, 10_107, 18_206, 13_335,
];

const EMPLOYER_PATTERNS: &[(&str, &str)] = &[
    ("Transports ", " SARL"),
    ("Boulangerie ", ""),
    ("Garage ", " SAS"),
    ("Menuiserie ", " et Fils"),
    ("Maçonnerie ", " SARL"),
    ("Ambulances ", ""),
    ("Plomberie ", " SARL"),
    ("Pharmacie ", ""),
    ("Cabinet ", " et Associés"),
    ("Restaurant Chez ", ""),
    ("Électricité ", " SAS"),
    ("Boucherie ", ""),
    ("Paysages ", " SARL"),
    ("Taxis ", ""),
];

const EMPLOYERS: &[&str] = &[
    "Logistique du Grand Ouest SAS",
    "Clinique des Lilas",
    "EHPAD Les Glycines",
    "Hôtel du Parc",
    "Supermarché des Halles",
    "Atelier Mécanique de l'Est",
    "Société Nouvelle de Nettoyage",
    "Gardiennage Provence Sécurité",
    "Conserverie de la Côte",
    "Plasturgie Rhône-Alpes SA",
    "Imprimerie du Centre",
    "Résidence seniors Les Tilleuls",
    "Crèche Les Petits Loups",
    "Atlantique Relation Client SAS",
    "Horizon Intérim",
    "Bâtiment Services du Sud SARL",
];

const GUARANTEE_BODIES: &[&str] =
    &["Habitat Caution SA", "Caution Mutuelle du Logement", "Société Française de Garantie Habitat"];

#[rustfmt::skip]
const CAR_MODELS: &[&str] = &[
    "Peugeot 208", "Renault Clio", "Citroën C3", "Dacia Sandero", "Volkswagen Golf", "Toyota Yaris",
    "Renault Captur", "Peugeot 3008",
];

const NATURES: &[(ClaimNature, u32)] = &[
    (ClaimNature::Overdraft, 35),
    (ClaimNature::Card, 10),
    (ClaimNature::RevolvingCredit, 20),
    (ClaimNature::PersonalLoan, 25),
    (ClaimNature::Mortgage, 10),
];

const EMPLOYMENTS: &[(Employment, u32)] = &[
    (Employment::Employed, 55),
    (Employment::Unemployed, 15),
    (Employment::Retired, 12),
    (Employment::Benefits, 10),
    (Employment::SelfEmployed, 6),
    (Employment::Student, 2),
];

// ---------------------------------------------------------------------------------------------
// People.
// ---------------------------------------------------------------------------------------------

struct Address {
    line: String,
    postcode: &'static str,
    city: &'static str,
    department: &'static str,
}

impl Address {
    fn random(rng: &mut Rng) -> Address {
        let (postcode, city, department) = rng.pick(CITIES);
        Address::random_in(rng, postcode, city, department)
    }

    fn random_in(rng: &mut Rng, postcode: &'static str, city: &'static str, department: &'static str) -> Address {
        let street_type = rng.weighted(STREET_TYPES);
        let street = rng.pick(STREET_NAMES);
        let number = rng.skewed(1, 180);
        let mut line = String::with_capacity(12 + street_type.len() + street.len());
        push_digits(&mut line, number as u64, 1);
        if rng.chance(40) {
            line.push_str(" bis");
        }
        line.push(' ');
        line.push_str(street_type);
        line.push(' ');
        line.push_str(street);
        Address { line, postcode, city, department }
    }

    fn fixed(line: &str, postcode: &'static str, city: &'static str) -> Address {
        Address { line: line.to_string(), postcode, city, department: "" }
    }

    /// One line, for a guardian's address or a property: "12 rue Pasteur, 69003 Lyon".
    fn one_line(&self) -> String {
        text_of(&[&self.line, ", ", self.postcode, " ", self.city])
    }
}

fn first_name(rng: &mut Rng, female: bool) -> &'static str {
    rng.pick(if female { FEMALE_FIRST_NAMES } else { MALE_FIRST_NAMES })
}

fn civility(female: bool) -> &'static str {
    if female {
        "Mme"
    } else {
        "M."
    }
}

/// "Jean DUPONT".
fn full_name(first: &str, last: &str) -> String {
    let mut text = String::with_capacity(first.len() + last.len() + 1);
    text.push_str(first);
    text.push(' ');
    text.extend(last.chars().flat_map(char::to_uppercase));
    text
}

/// A person with everything optional left empty; the callers fill in the rest.
fn blank_person(customer_number: String, last: &str, first: &str, birth: NaiveDate, address: &Address) -> Person {
    Person {
        customer_number,
        last_name: last.to_string(),
        first_name: first.to_string(),
        birth_date: Some(birth),
        address_line: address.line.clone(),
        postcode: address.postcode.to_string(),
        city: address.city.to_string(),
        phone: None,
        email: None,
        iban: None,
        family_situation: FamilySituation::Single,
        dependants: 0,
        employment: Employment::Employed,
        employer: None,
        monthly_income: Money::ZERO,
        monthly_charges: Money::ZERO,
        deceased_on: None,
        protection: Protection::None,
        guardian_name: None,
        guardian_address: None,
        over_indebtedness: OverIndebtedness::None,
        ficp_registered: false,
    }
}

fn phone(rng: &mut Rng) -> String {
    let mut text = *b"06 00 00 00 00";
    text[1] = rng.pick(b"667");
    put_digits(&mut text[3..5], rng.range(10, 99) as u64);
    for at in [6, 9, 12] {
        put_digits(&mut text[at..at + 2], rng.range(0, 99) as u64);
    }
    ascii(&text)
}

/// Lower-case, accent-free, no spaces or apostrophes: "Le Gall" → "legall", "Hélène" → "helene".
fn push_folded(out: &mut String, text: &str) {
    for c in text.chars() {
        let folded = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'ç' | 'Ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
            'î' | 'ï' | 'Î' => 'i',
            'ô' | 'ö' | 'Ô' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            ' ' | '\'' => continue,
            other => other.to_ascii_lowercase(),
        };
        out.push(folded);
    }
}

fn email(rng: &mut Rng, first: &str, last: &str) -> String {
    let mut text = String::with_capacity(first.len() + last.len() + 16);
    push_folded(&mut text, first);
    text.push(if rng.chance(850) { '.' } else { '_' });
    push_folded(&mut text, last);
    if rng.chance(250) {
        push_digits(&mut text, rng.range(1, 99) as u64, 1);
    }
    text.push_str(if rng.chance(550) { "@example.fr" } else { "@example.com" });
    text
}

fn birth_date(rng: &mut Rng, years: (i32, i32)) -> NaiveDate {
    let year = rng.range(i64::from(years.0), i64::from(years.1.max(years.0))) as i32;
    let ordinal = rng.range(1, 365) as u32;
    NaiveDate::from_yo_opt(year, ordinal).expect("day 1 to 365 exists in every year")
}

/// Birth years for an employment, `today`'s year being `y`: between y − 81 and y − 23
/// (1945–2003 for 2026), retired from 62, students under 28.
fn birth_years(employment: Employment, y: i32) -> (i32, i32) {
    match employment {
        Employment::Retired => (y - 81, y - 62),
        Employment::Student => (y - 27, y - 23),
        Employment::SelfEmployed => (y - 66, y - 25),
        Employment::Employed | Employment::Unemployed | Employment::Benefits => (y - 64, y - 23),
    }
}

fn employer(rng: &mut Rng, city: &str) -> String {
    match rng.below(20) {
        0..=12 => {
            let (before, after) = rng.pick(EMPLOYER_PATTERNS);
            let name = rng.pick(LAST_NAMES);
            let mut text = String::with_capacity(before.len() + name.len() + after.len());
            text.push_str(before);
            text.push_str(name);
            text.push_str(after);
            text
        }
        13..=18 => rng.pick(EMPLOYERS).to_string(),
        _ => {
            let mut text = String::with_capacity(city.len() + 10);
            let _ = write!(text, "Mairie de {city}");
            text
        }
    }
}

/// Employment, employer, income and charges, consistent with one another.
fn fill_finances(rng: &mut Rng, person: &mut Person, employment: Employment) {
    person.employment = employment;
    let dependants = i64::from(person.dependants);
    let income = match employment {
        Employment::Employed => rng.skewed(140_000, 450_000),
        Employment::SelfEmployed => rng.skewed(60_000, 500_000),
        Employment::Unemployed => rng.skewed(70_000, 170_000),
        Employment::Retired => rng.skewed(90_000, 280_000),
        // RSA-like minimum income, plus family benefits per dependant.
        Employment::Benefits => rng.range(60_000, 70_000) + dependants * rng.range(15_000, 25_000),
        Employment::Student => rng.range(0, 70_000),
    };
    if employment == Employment::Employed {
        person.employer = Some(employer(rng, &person.city));
    }
    let housing = match rng.below(10) {
        0..=5 => rng.skewed(38_000, 110_000), // rent
        6 => rng.skewed(50_000, 140_000),     // home loan at another bank
        _ => rng.range(5_000, 30_000),        // hosted, or owner outright
    };
    let other = rng.range(6_000, 30_000) + dependants * rng.range(5_000, 15_000);
    person.monthly_income = Money::from_cents(income);
    person.monthly_charges = Money::from_cents(housing + other);
}

fn fill_contact(rng: &mut Rng, person: &mut Person, index: usize, slot: u64, iban_per_mille: u64) {
    if rng.chance(850) {
        person.phone = Some(phone(rng));
    }
    if rng.chance(600) {
        person.email = Some(email(rng, &person.first_name, &person.last_name));
    }
    if rng.chance(iban_per_mille) {
        let bank = rng.pick(OTHER_BANKS);
        let branch = rng.below(100_000);
        person.iban = Some(external_iban(index, slot, bank, branch));
    }
}

fn family_situation(rng: &mut Rng, age: i32) -> FamilySituation {
    use FamilySituation::*;
    let situation =
        rng.weighted(&[(Single, 33), (Married, 22), (CivilUnion, 8), (Cohabiting, 12), (Divorced, 18), (Widowed, 7)]);
    match situation {
        Widowed if age < 45 => Single,
        other => other,
    }
}

fn dependants(rng: &mut Rng, employment: Employment) -> u8 {
    match employment {
        Employment::Student => 0,
        Employment::Retired if rng.chance(850) => 0,
        _ => rng.weighted(&[(0u8, 40), (1, 25), (2, 20), (3, 10), (4, 5)]),
    }
}

// ---------------------------------------------------------------------------------------------
// Claims.
// ---------------------------------------------------------------------------------------------

/// Principal range in euros (the balance at closure or acceleration).
fn principal_range(nature: ClaimNature) -> (i64, i64) {
    match nature {
        ClaimNature::Overdraft => (150, 8_000),
        ClaimNature::Card => (300, 5_000),
        ClaimNature::RevolvingCredit => (1_000, 15_000),
        ClaimNature::PersonalLoan => (2_000, 40_000),
        ClaimNature::Mortgage => (30_000, 350_000),
    }
}

/// Contractual rate in basis points, if any.
fn rate_bp(rng: &mut Rng, nature: ClaimNature, contract_year: i32) -> Option<i64> {
    match nature {
        ClaimNature::Overdraft => rng.chance(850).then(|| rng.range(1_290, 1_690)),
        ClaimNature::Card => rng.chance(450).then(|| rng.range(1_490, 2_090)),
        ClaimNature::RevolvingCredit => Some(rng.range(1_290, 2_190)),
        ClaimNature::PersonalLoan => Some(rng.range(290, 890)),
        // Home-loan rates were low until 2022.
        ClaimNature::Mortgage if contract_year < 2022 => Some(rng.range(85, 220)),
        ClaimNature::Mortgage => Some(rng.range(180, 420)),
    }
}

fn rate_text(bp: i64) -> String {
    let mut text = String::with_capacity(6);
    push_digits(&mut text, (bp / 100) as u64, 1);
    text.push('.');
    push_digits(&mut text, (bp % 100) as u64, 2);
    text
}

fn contract_age_days(rng: &mut Rng, nature: ClaimNature) -> i64 {
    match nature {
        ClaimNature::Overdraft => rng.range(365, 7_300),
        ClaimNature::Card | ClaimNature::RevolvingCredit => rng.range(365, 3_650),
        ClaimNature::PersonalLoan => rng.range(180, 2_555),
        ClaimNature::Mortgage => rng.range(730, 7_300),
    }
}

fn secondary_nature(rng: &mut Rng, primary: ClaimNature) -> ClaimNature {
    // The usual companions: a card debt on the closed account, an overdraft next to a loan.
    match (primary, rng.below(10)) {
        (ClaimNature::Overdraft, 0..=3) => ClaimNature::Card,
        (ClaimNature::Card, 0..=5) => ClaimNature::Overdraft,
        (ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit | ClaimNature::Mortgage, 0..=3) => {
            ClaimNature::Overdraft
        }
        _ => loop {
            let nature = rng.weighted(NATURES);
            if nature != ClaimNature::Mortgage {
                break nature;
            }
        },
    }
}

/// Everything a random claim depends on besides the PRNG.
struct ClaimContext {
    index: usize,
    slot: u64,
    nature: ClaimNature,
    due_on: NaiveDate,
    /// Set for the near-foreclosure cases; drawn otherwise.
    first_incident_on: Option<NaiveDate>,
    adult_on: NaiveDate,
    status: CaseStatus,
    case_age_days: i64,
    today: NaiveDate,
}

fn random_claim(rng: &mut Rng, ctx: &ClaimContext) -> Claim {
    let nature = ctx.nature;
    let due_on = ctx.due_on;
    let latest_opening = days_before(due_on, 30);
    let opened_on = days_before(due_on, contract_age_days(rng, nature)).max(ctx.adult_on).min(latest_opening);

    let (lo, hi) = principal_range(nature);
    let principal = rng.skewed(lo * 100, hi * 100);
    let rate = rate_bp(rng, nature, opened_on.year());

    // Interest left unpaid between the first incident and the closure or acceleration.
    let months = match nature {
        ClaimNature::Overdraft | ClaimNature::Card => rng.range(1, 3),
        ClaimNature::RevolvingCredit | ClaimNature::PersonalLoan => rng.range(2, 6),
        ClaimNature::Mortgage => rng.range(3, 9),
    };
    let contractual_interest = rate.map_or(0, |bp| principal * bp * months / 120_000);

    // Consumer-credit default indemnity: 8 % of the capital due (D312-16); mortgage: ≤ 7 %.
    let penalties = match nature {
        ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit if rng.chance(500) => principal * 8 / 100,
        ClaimNature::Mortgage if rng.chance(600) => principal * rng.range(300, 700) / 10_000,
        _ => 0,
    };

    // Statutory interest (about 3 % a year) on a closed account's balance since the formal
    // notice, or on the indemnity once a court has awarded it.
    let judicial = matches!(ctx.status, CaseStatus::Judicial | CaseStatus::Enforcement);
    let accrual_days = ctx.case_age_days.min(1_095);
    let statutory_interest = match nature {
        ClaimNature::Overdraft | ClaimNature::Card if ctx.case_age_days > 30 && rng.chance(600) => {
            principal * 300 * accrual_days / 3_650_000
        }
        _ if judicial && penalties > 0 && rng.chance(500) => penalties * 300 * accrual_days / 3_650_000,
        _ => 0,
    };

    let costs = match ctx.status {
        CaseStatus::Judicial => rng.range(3_500, 25_000),
        CaseStatus::Enforcement => rng.range(15_000, 120_000),
        CaseStatus::Closed if rng.chance(250) => rng.range(3_000, 40_000),
        CaseStatus::Suspended | CaseStatus::PaymentPlan | CaseStatus::Agency | CaseStatus::Estate
            if ctx.case_age_days > 365 && rng.chance(300) =>
        {
            rng.range(3_500, 30_000)
        }
        _ => 0,
    };

    let first_incident_on = match ctx.first_incident_on {
        Some(date) => Some(date),
        None if nature == ClaimNature::Mortgage && rng.chance(100) => None,
        None => Some(days_before(due_on, rng.range(60, 180)).max(opened_on + Days::new(30)).min(due_on)),
    };
    let payments_from = first_incident_on.unwrap_or(due_on);
    let last_payment_on = match ctx.status {
        CaseStatus::PaymentPlan => Some(days_before(ctx.today, rng.range(1, 40).min(ctx.case_age_days))),
        CaseStatus::Closed => Some(rng.date_between(days_before(ctx.today, ctx.case_age_days), ctx.today)),
        _ if ctx.first_incident_on.is_some() => {
            // Small irregular payments that never regularised the incident.
            Some(rng.date_between(payments_from + Days::new(30), days_before(ctx.today, 10)))
        }
        CaseStatus::Amicable | CaseStatus::Agency if ctx.case_age_days > 365 && rng.chance(700) => {
            Some(days_before(ctx.today, rng.range(5, 90)))
        }
        _ if rng.chance(350) => Some(rng.date_between(payments_from, ctx.today)),
        _ => None,
    };

    Claim {
        contract_ref: contract_ref(nature, ctx.index, ctx.slot, opened_on),
        nature,
        amounts: Breakdown {
            principal: Money::from_cents(principal),
            contractual_interest: Money::from_cents(contractual_interest),
            statutory_interest: Money::from_cents(statutory_interest),
            costs: Money::from_cents(costs),
            penalties: Money::from_cents(penalties),
        },
        contractual_rate: rate.map(rate_text),
        opened_on: Some(opened_on),
        due_on,
        first_incident_on,
        last_payment_on,
    }
}

/// Round down to whole thousands of euros (at least 1 000 €).
fn thousands(cents: i64) -> Money {
    Money::euros((cents / 100_000).max(1) * 1_000)
}

fn text_of(parts: &[&str]) -> String {
    let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|part| text.push_str(part));
    text
}

fn loan_guarantees(rng: &mut Rng, claim: &Claim, home: &Address, out: &mut Vec<Guarantee>) {
    let principal = claim.amounts.principal.cents();
    match claim.nature {
        ClaimNature::Mortgage => {
            if rng.chance(850) {
                if rng.chance(550) {
                    let body = rng.pick(GUARANTEE_BODIES);
                    out.push(Guarantee {
                        kind: GuaranteeKind::GuaranteeBody,
                        description: text_of(&["Cautionnement ", body, " du prêt ", &claim.contract_ref]),
                        amount: thousands(principal * rng.range(100, 120) / 100),
                    });
                } else {
                    out.push(Guarantee {
                        kind: GuaranteeKind::Mortgage,
                        description: text_of(&[
                            "Hypothèque conventionnelle de 1er rang sur le bien sis ",
                            &home.one_line(),
                        ]),
                        amount: thousands(principal * rng.range(110, 140) / 100),
                    });
                }
            }
            if rng.chance(300) {
                out.push(insurance(rng, principal));
            }
        }
        ClaimNature::PersonalLoan => {
            if rng.chance(50) {
                const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXYZ";
                let letter = |rng: &mut Rng| char::from(rng.pick(LETTERS));
                let mut plate = String::with_capacity(9);
                plate.push(letter(rng));
                plate.push(letter(rng));
                let _ = write!(plate, "-{:03}-", rng.range(1, 999));
                plate.push(letter(rng));
                plate.push(letter(rng));
                out.push(Guarantee {
                    kind: GuaranteeKind::Pledge,
                    description: text_of(&["Gage sur véhicule ", rng.pick(CAR_MODELS), " immatriculé ", &plate]),
                    amount: Money::from_cents(principal * 6 / 10),
                });
            }
            if rng.chance(200) {
                out.push(insurance(rng, principal));
            }
        }
        _ => {}
    }
}

fn insurance(rng: &mut Rng, principal: i64) -> Guarantee {
    let share = if rng.chance(600) { 100 } else { 50 };
    Guarantee {
        kind: GuaranteeKind::Insurance,
        description: if share == 100 {
            "Assurance emprunteur décès-invalidité, quotité 100 %".to_string()
        } else {
            "Assurance emprunteur décès-invalidité, quotité 50 %".to_string()
        },
        amount: Money::from_cents(principal * share / 100),
    }
}

// ---------------------------------------------------------------------------------------------
// Notes and tags.
// ---------------------------------------------------------------------------------------------

/// "12/03" this year, "12/03/2024" before.
fn push_date(text: &mut String, date: NaiveDate, today: NaiveDate) {
    push_digits(text, u64::from(date.day()), 2);
    text.push('/');
    push_digits(text, u64::from(date.month()), 2);
    if date.year() != today.year() {
        text.push('/');
        push_digits(text, date.year().max(0) as u64, 4);
    }
}

fn dated_note(before: &str, date: NaiveDate, after: &str, today: NaiveDate) -> String {
    let mut text = String::with_capacity(before.len() + after.len() + 10);
    text.push_str(before);
    push_date(&mut text, date, today);
    text.push_str(after);
    text
}

const GENERAL_NOTES: &[(&str, &str)] = &[
    ("Débiteur joint le ", ", promet un versement."),
    ("Appel sortant le ", " : messagerie, message laissé."),
    ("Relance téléphonique le ", ", sans suite."),
    ("Demande de délai de paiement reçue le ", "."),
    ("Justificatifs de revenus demandés le ", "."),
    ("Mise en demeure LRAR envoyée le ", "."),
    ("Visite en agence le ", " : situation professionnelle précaire."),
    ("Nouveau numéro de téléphone communiqué le ", "."),
    ("Versement ponctuel annoncé pour la fin du mois (appel du ", ")."),
];

fn status_note(rng: &mut Rng, status: CaseStatus, total: Money, date: NaiveDate, today: NaiveDate) -> Option<String> {
    let (before, after) = match status {
        CaseStatus::PaymentPlan => {
            let count = rng.range(6, 24);
            let instalment = Money::euros((total.cents() / 100 / count).max(20));
            let mut text = String::with_capacity(80);
            let _ = write!(text, "Échéancier de {count} × {} € accordé le ", instalment.to_french_number());
            push_date(&mut text, date, today);
            text.push_str(if rng.chance(600) { ", prélèvement SEPA." } else { ", virements mensuels." });
            return Some(text);
        }
        CaseStatus::Judicial => ("Requête en injonction de payer déposée le ", "."),
        CaseStatus::Enforcement if rng.chance(500) => {
            ("Saisie-attribution pratiquée le ", " par le commissaire de justice.")
        }
        CaseStatus::Enforcement => ("Saisie des rémunérations engagée le ", " par le commissaire de justice."),
        CaseStatus::Agency => ("Dossier confié à l'agence de recouvrement le ", "."),
        CaseStatus::Suspended => {
            ("Recevabilité du dossier de surendettement notifiée le ", " : procédures suspendues.")
        }
        CaseStatus::Estate => ("Décès notifié le ", " ; créance à déclarer au notaire chargé de la succession."),
        CaseStatus::Closed if rng.chance(600) => ("Dossier soldé le ", "."),
        CaseStatus::Closed => ("Passage en pertes validé le ", "."),
        CaseStatus::New | CaseStatus::Amicable => return None,
    };
    Some(dated_note(before, date, after, today))
}

// ---------------------------------------------------------------------------------------------
// A random case.
// ---------------------------------------------------------------------------------------------

fn status_for_age(rng: &mut Rng, age_days: i64) -> CaseStatus {
    use CaseStatus::*;
    match age_days {
        0..=14 => rng.weighted(&[(New, 85), (Amicable, 15)]),
        15..=90 => {
            rng.weighted(&[(New, 5), (Amicable, 50), (PaymentPlan, 25), (Agency, 5), (Judicial, 10), (Closed, 5)])
        }
        91..=365 => rng.weighted(&[
            (Amicable, 25),
            (PaymentPlan, 20),
            (Agency, 15),
            (Judicial, 22),
            (Enforcement, 10),
            (Closed, 8),
        ]),
        _ => rng.weighted(&[
            (Amicable, 7),
            (PaymentPlan, 16),
            (Agency, 18),
            (Judicial, 18),
            (Enforcement, 28),
            (Closed, 11),
        ]),
    }
}

fn random_case(spec: &PortfolioSpec, index: usize) -> NewCase {
    let today = spec.today;
    let year = today.year();
    let mut rng = Rng::for_case(spec.seed, index);

    // The debtor's special situations.
    let deceased = rng.chance(15);
    let over_indebtedness = if !deceased && rng.chance(40) {
        use OverIndebtedness::*;
        rng.weighted(&[(Filed, 30), (Admissible, 35), (Measures, 35)])
    } else {
        OverIndebtedness::None
    };
    let protection = if !deceased && rng.chance(20) {
        use Protection::*;
        rng.weighted(&[(Curatorship, 40), (EnhancedCuratorship, 35), (Guardianship, 25)])
    } else {
        Protection::None
    };
    let near_foreclosure = !deceased && over_indebtedness == OverIndebtedness::None && rng.chance(30);

    // Claims and dates.
    let claim_count = if over_indebtedness != OverIndebtedness::None {
        rng.weighted(&[(1usize, 40), (2, 35), (3, 25)])
    } else {
        rng.weighted(&[(1usize, 87), (2, 10), (3, 3)])
    };
    let primary = if near_foreclosure {
        rng.weighted(&[(ClaimNature::PersonalLoan, 70), (ClaimNature::RevolvingCredit, 30)])
    } else {
        rng.weighted(NATURES)
    };
    let (opened_on, foreclosure_incident) = if near_foreclosure {
        // Like scenario 2: first unregularised incident 20 to 23 months ago.
        let incident = days_before(months_before(today, rng.range(20, 22)), rng.range(0, 27));
        let due = incident + Days::new(rng.range(60, 150) as u64);
        ((due + Days::new(rng.range(0, 30) as u64)).min(today), Some((incident, due)))
    } else {
        // Within the last five years, skewed to recent: P(≤ 7 days) ≈ 6.6 %, median ≈ 15 months.
        (days_before(today, rng.squared(0, 1_825)), None)
    };
    let case_age_days = (today - opened_on).num_days();

    let status = if deceased {
        rng.weighted(&[(CaseStatus::Estate, 75), (CaseStatus::Amicable, 15), (CaseStatus::Closed, 10)])
    } else if over_indebtedness == OverIndebtedness::Admissible {
        CaseStatus::Suspended
    } else if over_indebtedness == OverIndebtedness::Measures {
        rng.weighted(&[(CaseStatus::PaymentPlan, 70), (CaseStatus::Suspended, 30)])
    } else if near_foreclosure {
        if case_age_days <= 14 {
            CaseStatus::New
        } else {
            rng.weighted(&[(CaseStatus::Amicable, 80), (CaseStatus::Agency, 20)])
        }
    } else {
        status_for_age(&mut rng, case_age_days)
    };

    let mut natures = [primary; 3];
    let mut due_dates = [opened_on; 3];
    for slot in 0..claim_count {
        if slot > 0 {
            natures[slot] = secondary_nature(&mut rng, primary);
        }
        due_dates[slot] = match foreclosure_incident {
            Some((_, due)) if slot == 0 => due,
            _ => days_before(opened_on, rng.range(0, 45)),
        };
    }
    let earliest_due = due_dates[..claim_count].iter().copied().min().unwrap_or(opened_on);

    // The debtor.
    let employment = if deceased {
        rng.weighted(&[(Employment::Retired, 70), (Employment::Employed, 20), (Employment::Benefits, 10)])
    } else {
        rng.weighted(EMPLOYMENTS)
    };
    let (mut lo_year, mut hi_year) = birth_years(employment, year);
    if deceased {
        lo_year = year - 81;
        hi_year = hi_year.min(year - 55);
    }
    hi_year = hi_year.min(earliest_due.year() - 20);
    lo_year = lo_year.min(hi_year);
    let birth = birth_date(&mut rng, (lo_year, hi_year));
    let age = year - birth.year();
    let female = rng.chance(480);
    let last_name = rng.pick(LAST_NAMES);
    let first = first_name(&mut rng, female);
    let home = Address::random(&mut rng);
    let mut debtor = blank_person(customer_number(index, 0), last_name, first, birth, &home);
    debtor.family_situation = family_situation(&mut rng, age);
    debtor.dependants = dependants(&mut rng, employment);
    fill_finances(&mut rng, &mut debtor, employment);
    fill_contact(&mut rng, &mut debtor, index, 0, 700);
    debtor.over_indebtedness = over_indebtedness;
    debtor.protection = protection;
    if deceased {
        debtor.deceased_on = Some(days_before(today, rng.range(3, (case_age_days + 180).clamp(30, 700))));
        if debtor.family_situation == FamilySituation::Single && rng.chance(400) {
            debtor.family_situation = FamilySituation::Widowed;
        }
    }
    if protection != Protection::None {
        let (name, address) = guardian(&mut rng, last_name, &home);
        debtor.guardian_name = Some(name);
        debtor.guardian_address = Some(address);
    }

    let adult_on = birth + Months::new(18 * 12);
    let mut claims = Vec::with_capacity(claim_count);
    for slot in 0..claim_count {
        let ctx = ClaimContext {
            index,
            slot: slot as u64,
            nature: natures[slot],
            due_on: due_dates[slot],
            first_incident_on: match foreclosure_incident {
                Some((incident, _)) if slot == 0 => Some(incident),
                _ => None,
            },
            adult_on,
            status,
            case_age_days,
            today,
        };
        claims.push(random_claim(&mut rng, &ctx));
    }

    // FICP: every admissible file, most consumer-credit incidents, some mortgages.
    let ficp_per_mille = match primary {
        ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit => 800,
        ClaimNature::Card => 600,
        ClaimNature::Mortgage => 600,
        ClaimNature::Overdraft => 250,
    };
    debtor.ficp_registered = matches!(over_indebtedness, OverIndebtedness::Admissible | OverIndebtedness::Measures)
        || rng.chance(ficp_per_mille);

    // Guarantees and other parties.
    let mut guarantees = Vec::new();
    for claim in &claims {
        loan_guarantees(&mut rng, claim, &home, &mut guarantees);
    }
    let mut parties = Vec::new();
    let co_debtor_per_mille = match primary {
        ClaimNature::Mortgage => 550,
        ClaimNature::PersonalLoan => 180,
        ClaimNature::RevolvingCredit => 100,
        ClaimNature::Overdraft => 80,
        ClaimNature::Card => 30,
    };
    if rng.chance(co_debtor_per_mille) {
        let spouse = spouse(&mut rng, &mut debtor, female, &home, index, year, deceased);
        parties.push((PartyRole::CoDebtor, spouse));
    }
    let guarantor_per_mille = match primary {
        ClaimNature::PersonalLoan => 160,
        ClaimNature::Overdraft | ClaimNature::Mortgage => 60,
        ClaimNature::RevolvingCredit => 40,
        ClaimNature::Card => 20,
    };
    if rng.chance(guarantor_per_mille) {
        let (person, female) = guarantor(&mut rng, last_name, index, year, earliest_due);
        let claim = &claims[0];
        let mut description = String::with_capacity(96);
        let _ = write!(description, "Caution personnelle et solidaire de {} ", civility(female));
        description.push_str(&full_name(&person.first_name, &person.last_name));
        let _ = write!(description, ", contrat {}", claim.contract_ref);
        guarantees.push(Guarantee {
            kind: GuaranteeKind::PersonalSurety,
            description,
            amount: thousands(claim.amounts.principal.cents() * 12 / 10 + 99_999),
        });
        parties.push((PartyRole::Guarantor, person));
    }

    // Other accounts at the bank.
    let mut other_accounts = Vec::new();
    if rng.chance(400) {
        let count = rng.weighted(&[(1u64, 60), (2, 30), (3, 10)]);
        for slot in 0..count {
            let kind = loop {
                let kind = rng.weighted(&[
                    (AccountKind::LivretA, 45),
                    (AccountKind::Ldds, 20),
                    (AccountKind::Pel, 12),
                    (AccountKind::LifeInsurance, 13),
                    (AccountKind::Securities, 5),
                    (AccountKind::Current, 5),
                ]);
                if other_accounts.iter().all(|a: &OtherAccount| a.kind != kind) {
                    break kind;
                }
            };
            let balance = match kind {
                AccountKind::LivretA => rng.skewed(1_000, 2_295_000),
                AccountKind::Ldds => rng.skewed(1_000, 1_200_000),
                AccountKind::Pel => rng.skewed(22_500, 6_120_000),
                AccountKind::LifeInsurance => rng.skewed(50_000, 8_000_000),
                AccountKind::Securities => rng.skewed(10_000, 3_000_000),
                AccountKind::Current => rng.range(100, 80_000),
            };
            other_accounts.push(OtherAccount {
                kind,
                account_number: account_number(index, FIRST_OTHER_ACCOUNT_SLOT + slot),
                balance: Money::from_cents(balance),
            });
        }
    }

    // Tags and notes.
    let total: Money = claims.iter().map(|c| c.amounts.total()).sum();
    let mut tags = Vec::new();
    if rng.chance(50) || (total > Money::euros(50_000) && rng.chance(400)) {
        tags.push("prioritaire".to_string());
    }
    let disputed = rng.chance(20);
    if disputed {
        tags.push("litige client".to_string());
    }
    let address_flag = rng.below(1000);
    let mut notes = Vec::new();
    let note_from = opened_on;
    if address_flag < 30 {
        tags.push("NPAI".to_string());
        let date = rng.date_between(note_from, today);
        notes.push(dated_note("Courrier retourné NPAI le ", date, ".", today));
    } else if address_flag < 70 {
        tags.push("adresse à vérifier".to_string());
    }
    if disputed && notes.len() < 2 {
        let date = rng.date_between(note_from, today);
        let who = if female { "La débitrice" } else { "Le débiteur" };
        notes.push(dated_note(
            text_of(&[who, " conteste le décompte des intérêts (courrier du "]).as_str(),
            date,
            ").",
            today,
        ));
    }
    if notes.len() < 2 && rng.chance(700) {
        // What moved the case to its status happened within its first year, or on the death.
        let date = match (status, debtor.deceased_on) {
            (CaseStatus::Estate, Some(died)) => rng.date_between(died.max(note_from), today),
            (CaseStatus::Judicial | CaseStatus::Agency | CaseStatus::Suspended, _) => {
                rng.date_between(note_from, today.min(note_from + Days::new(365)))
            }
            _ => rng.date_between(note_from, today),
        };
        if let Some(note) = status_note(&mut rng, status, total, date, today) {
            notes.push(note);
        }
    }
    if notes.len() < 2 && rng.chance(450) {
        let (before, after) = match rng.pick(GENERAL_NOTES) {
            ("Débiteur joint le ", after) if female => ("Débitrice jointe le ", after),
            note => note,
        };
        let date = rng.date_between(note_from, today);
        notes.push(dated_note(before, date, after, today));
    }

    // Officer: round-robin by index, with some drift; about 5 % of new cases await distribution.
    let unassigned = status == CaseStatus::New && rng.chance(50);
    let drift = rng.chance(200);
    let draw = rng.next_u64();
    let officer = if spec.officers.is_empty() || unassigned {
        None
    } else {
        let count = spec.officers.len();
        let at = if drift { (draw % count as u64) as usize } else { index % count };
        Some(spec.officers[at].clone())
    };

    NewCase { debtor, parties, claims, guarantees, other_accounts, status, opened_on, tags, officer, notes }
}

/// A protected adult's guardian: an association, a relative or a professional.
fn guardian(rng: &mut Rng, last_name: &'static str, home: &Address) -> (String, String) {
    match rng.below(20) {
        0..=9 => {
            let department = if home.department.is_empty() { "du Rhône" } else { home.department };
            let name = text_of(&["UDAF ", department]);
            let address = Address::random_in(rng, home.postcode, home.city, home.department);
            (name, address.one_line())
        }
        10..=16 => {
            let female = rng.chance(600);
            let mut name = String::with_capacity(32);
            name.push_str(civility(female));
            name.push(' ');
            name.push_str(&full_name(first_name(rng, female), last_name));
            (name, Address::random(rng).one_line())
        }
        _ => {
            let female = rng.chance(600);
            let mut name = String::with_capacity(80);
            name.push_str(if female { "Me " } else { "M. " });
            name.push_str(&full_name(first_name(rng, female), rng.pick(LAST_NAMES)));
            name.push_str(", mandataire judiciaire à la protection des majeurs");
            let address = Address::random_in(rng, home.postcode, home.city, home.department);
            (name, address.one_line())
        }
    }
}

/// A spouse co-debtor at the same address; the debtor's family situation is made consistent.
fn spouse(
    rng: &mut Rng,
    debtor: &mut Person,
    debtor_female: bool,
    home: &Address,
    index: usize,
    year: i32,
    deceased: bool,
) -> Person {
    use FamilySituation::*;
    if !matches!(debtor.family_situation, Married | CivilUnion | Cohabiting) {
        debtor.family_situation = rng.weighted(&[(Married, 70), (CivilUnion, 18), (Cohabiting, 12)]);
    }
    let female = !debtor_female;
    let same_name = debtor.family_situation == Married || rng.chance(400);
    let last = if same_name { debtor.last_name.clone() } else { rng.pick(LAST_NAMES).to_string() };
    let first = first_name(rng, female);
    let debtor_year = debtor.birth_date.map_or(year - 45, |d| d.year());
    let birth = birth_date(rng, ((debtor_year - 6).max(year - 81), (debtor_year + 6).min(year - 23)));
    let mut person = blank_person(customer_number(index, 1), &last, first, birth, home);
    person.family_situation = if deceased { Widowed } else { debtor.family_situation };
    person.dependants = debtor.dependants;
    let employment =
        if year - birth.year() >= 63 && rng.chance(800) { Employment::Retired } else { rng.weighted(EMPLOYMENTS) };
    fill_finances(rng, &mut person, employment);
    fill_contact(rng, &mut person, index, 1, 400);
    person.ficp_registered = debtor.ficp_registered && rng.chance(700);
    person
}

/// A guarantor: often a parent (same last name, older), otherwise a relative or friend elsewhere.
fn guarantor(rng: &mut Rng, debtor_last: &'static str, index: usize, year: i32, due: NaiveDate) -> (Person, bool) {
    let parent = rng.chance(450);
    let female = rng.chance(500);
    let last = if parent { debtor_last } else { rng.pick(LAST_NAMES) };
    let first = first_name(rng, female);
    let years = if parent { (year - 81, year - 50) } else { (year - 70, (year - 25).min(due.year() - 20)) };
    let birth = birth_date(rng, years);
    let address = Address::random(rng);
    let mut person = blank_person(customer_number(index, 2), last, first, birth, &address);
    person.family_situation = family_situation(rng, year - birth.year());
    let employment = if year - birth.year() >= 63 {
        Employment::Retired
    } else {
        rng.weighted(&[(Employment::Employed, 75), (Employment::SelfEmployed, 15), (Employment::Unemployed, 10)])
    };
    person.dependants = dependants(rng, employment);
    fill_finances(rng, &mut person, employment);
    fill_contact(rng, &mut person, index, 2, 500);
    (person, female)
}

// ---------------------------------------------------------------------------------------------
// The ten typical cases of scenarios.md, at indexes 0 to 9.
// ---------------------------------------------------------------------------------------------

fn fixed_claim(index: usize, slot: u64, nature: ClaimNature, amounts: [i64; 5], rate: Option<&str>) -> ClaimBuilder {
    ClaimBuilder {
        index,
        slot,
        nature,
        amounts: Breakdown {
            principal: Money::from_cents(amounts[0]),
            contractual_interest: Money::from_cents(amounts[1]),
            statutory_interest: Money::from_cents(amounts[2]),
            costs: Money::from_cents(amounts[3]),
            penalties: Money::from_cents(amounts[4]),
        },
        rate: rate.map(str::to_string),
    }
}

struct ClaimBuilder {
    index: usize,
    slot: u64,
    nature: ClaimNature,
    amounts: Breakdown,
    rate: Option<String>,
}

impl ClaimBuilder {
    /// Dates: contract opened, due (closure or acceleration), first incident, last payment.
    fn dated(self, opened: NaiveDate, due: NaiveDate, incident: Option<NaiveDate>, paid: Option<NaiveDate>) -> Claim {
        Claim {
            contract_ref: contract_ref(self.nature, self.index, self.slot, opened),
            nature: self.nature,
            amounts: self.amounts,
            contractual_rate: self.rate,
            opened_on: Some(opened),
            due_on: due,
            first_incident_on: incident,
            last_payment_on: paid,
        }
    }
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid fixed date")
}

fn fixed_person(index: usize, slot: u64, who: (&str, &str), birth: NaiveDate, address: &Address) -> Person {
    blank_person(customer_number(index, slot), who.0, who.1, birth, address)
}

fn fixed_case(debtor: Person, claims: Vec<Claim>, status: CaseStatus, opened_on: NaiveDate) -> NewCase {
    NewCase {
        debtor,
        parties: Vec::new(),
        claims,
        guarantees: Vec::new(),
        other_accounts: Vec::new(),
        status,
        opened_on,
        tags: Vec::new(),
        officer: None,
        notes: Vec::new(),
    }
}

/// The typical cases of `scenarios.md`; `index` 0 is scenario 1, …, 9 is scenario 10. Fixed data;
/// dates relative to `today`; no officer (set by `generate_one`).
///
/// 0. Closed current account, employed debtor: LEROY Claire, Lyon, employed (1 900 €/month net),
///    one child, rent 650 €; overdraft of 2 340 € on the account closed 3 months ago; new case.
/// 1. Consumer loan near foreclosure: GARNIER Thomas, Toulouse; personal loan, 18 000 € in all
///    (16 425 € capital, 261 € interest, 1 314 € indemnity = 8 %), first unregularised incident
///    20 months ago (foreclosure in 4 months), small irregular payments since; employed
///    (wage garnishment possible); amicable phase.
/// 2. Revolving credit, debtor on benefits only: FAURE Nadia, Lille; 4 800 € (4 420 + 380
///    interest); minimum income 646 €/month, no other account, nothing seizable.
/// 3. Over-indebtedness: ROUSSEL Karine, Metz (Alsace-Moselle); three claims (overdraft 1 250 €,
///    revolving 6 400 €, personal loan 11 500 €); file declared admissible → suspended; FICP.
/// 4. Deceased debtor: BLANCHARD Roger, Bordeaux; overdraft 640 € and card debt 1 120 €;
///    died 25 days ago; estate.
/// 5. Protected adult: PERRIN Sébastien, Lyon; enhanced curatorship, curator "UDAF du Rhône";
///    overdraft 1 870 €; amicable.
/// 6. Mortgage with a guarantee body: MOREL Julien and his wife Élodie (co-debtor), Nantes;
///    96 000 € capital outstanding after acceleration; guaranteed by Habitat Caution SA.
/// 7. Suspicious repayment: LAMBERT Kevin, Marseille; personal loan of 9 000 €; unemployed with
///    no known income.
/// 8. Unmatched payment: DUPONT Jean, Paris; overdraft of 1 800 €, payment plan of 12 × 150 €
///    by monthly transfer, the last one a month ago.
/// 9. Plan broken: ROBIN Céline, Strasbourg; revolving credit of 2 400 €, plan of 12 × 200 € by
///    SEPA direct debit (IBAN and mandate on file).
fn scenario_case(index: usize, today: NaiveDate) -> NewCase {
    use ClaimNature::*;
    let y = today.year();
    let ago = |days: i64| days_before(today, days);
    let months_ago = |months: i64| months_before(today, months);
    let note = |before: &str, date: NaiveDate, after: &str| dated_note(before, date, after, today);
    match index {
        0 => {
            let home = Address::fixed("14 rue Paul Bert", "69003", "Lyon");
            let mut debtor = fixed_person(index, 0, ("Leroy", "Claire"), ymd(1988, 5, 14), &home);
            debtor.phone = Some("06 41 27 58 09".to_string());
            debtor.email = Some("claire.leroy@example.fr".to_string());
            debtor.iban = Some(external_iban(index, 0, 30_004, 1_289));
            debtor.family_situation = FamilySituation::Divorced;
            debtor.dependants = 1;
            debtor.employer = Some("Clinique des Lilas".to_string());
            debtor.monthly_income = Money::euros(1_900);
            debtor.monthly_charges = Money::euros(650);
            let closed = months_ago(3);
            let claim = fixed_claim(index, 0, Overdraft, [234_000, 0, 0, 0, 0], Some("14.50")).dated(
                months_ago(110),
                closed,
                Some(months_before(closed, 2)),
                None,
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::New, ago(2));
            case.notes.push(note(
                "Compte clôturé par la banque le ",
                closed,
                " ; relances de l'agence restées sans effet.",
            ));
            case
        }
        1 => {
            let home = Address::fixed("7 avenue Jean Jaurès", "31000", "Toulouse");
            let mut debtor = fixed_person(index, 0, ("Garnier", "Thomas"), ymd(1983, 9, 2), &home);
            debtor.phone = Some("07 62 18 44 30".to_string());
            debtor.email = Some("thomas.garnier@example.com".to_string());
            debtor.iban = Some(external_iban(index, 0, 30_003, 2_170));
            debtor.family_situation = FamilySituation::Cohabiting;
            debtor.employer = Some("Transports Morel SARL".to_string());
            debtor.monthly_income = Money::from_cents(235_000);
            debtor.monthly_charges = Money::from_cents(91_000);
            debtor.ficp_registered = true;
            let incident = months_ago(20);
            let accelerated = incident + Months::new(3);
            let claim = fixed_claim(index, 0, PersonalLoan, [1_642_500, 26_100, 0, 0, 131_400], Some("5.90")).dated(
                months_before(incident, 26),
                accelerated,
                Some(incident),
                Some(ago(52)),
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::Amicable, accelerated + Days::new(12));
            case.tags.push("prioritaire".to_string());
            case.notes.push(note(
                "Versements irréguliers de 50 € environ, le dernier le ",
                ago(52),
                " : l'incident n'est pas régularisé.",
            ));
            case
        }
        2 => {
            let home = Address::fixed("3 impasse des Lilas", "59000", "Lille");
            let mut debtor = fixed_person(index, 0, ("Faure", "Nadia"), ymd(1979, 2, 21), &home);
            debtor.phone = Some("06 85 02 71 46".to_string());
            debtor.family_situation = FamilySituation::Single;
            debtor.employment = Employment::Benefits;
            debtor.monthly_income = Money::euros(646);
            debtor.monthly_charges = Money::euros(420);
            debtor.ficp_registered = true;
            let due = ago(75);
            let claim = fixed_claim(index, 0, RevolvingCredit, [442_000, 38_000, 0, 0, 0], Some("19.90")).dated(
                months_before(due, 50),
                due,
                Some(months_before(due, 5)),
                None,
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::Amicable, ago(60));
            case.notes.push(note("Débitrice jointe le ", ago(20), " : sans emploi, RSA pour seul revenu."));
            case
        }
        3 => {
            let home = Address::fixed("22 rue de la Paix", "57000", "Metz");
            let mut debtor = fixed_person(index, 0, ("Roussel", "Karine"), ymd(1976, 11, 8), &home);
            debtor.phone = Some("06 23 90 17 55".to_string());
            debtor.email = Some("karine.roussel@example.fr".to_string());
            debtor.family_situation = FamilySituation::Divorced;
            debtor.dependants = 2;
            debtor.employer = Some("Supermarché des Halles".to_string());
            debtor.monthly_income = Money::euros(1_450);
            debtor.monthly_charges = Money::euros(980);
            debtor.over_indebtedness = OverIndebtedness::Admissible;
            debtor.ficp_registered = true;
            let due = ago(150);
            let claims = vec![
                fixed_claim(index, 0, Overdraft, [125_000, 0, 0, 0, 0], Some("15.20")).dated(
                    ymd(2009, 4, 1).min(months_before(due, 60)),
                    due,
                    Some(months_before(due, 3)),
                    None,
                ),
                fixed_claim(index, 1, RevolvingCredit, [590_000, 50_000, 0, 0, 0], Some("18.40")).dated(
                    months_before(due, 40),
                    due,
                    Some(months_before(due, 4)),
                    None,
                ),
                fixed_claim(index, 2, PersonalLoan, [1_080_000, 70_000, 0, 0, 0], Some("6.20")).dated(
                    months_before(due, 30),
                    due,
                    Some(months_before(due, 4)),
                    Some(months_before(due, 2)),
                ),
            ];
            let mut case = fixed_case(debtor, claims, CaseStatus::Suspended, ago(140));
            case.notes.push(note(
                "Recevabilité du dossier de surendettement notifiée le ",
                ago(30),
                " : procédures suspendues sur les trois créances.",
            ));
            case
        }
        4 => {
            let home = Address::fixed("40 cours Victor Hugo", "33000", "Bordeaux");
            let mut debtor = fixed_person(index, 0, ("Blanchard", "Roger"), ymd(1946, 6, 30), &home);
            debtor.family_situation = FamilySituation::Widowed;
            debtor.employment = Employment::Retired;
            debtor.monthly_income = Money::euros(1_380);
            debtor.monthly_charges = Money::euros(540);
            debtor.deceased_on = Some(ago(25));
            let due = ago(20);
            let claims = vec![
                fixed_claim(index, 0, Overdraft, [64_000, 0, 0, 0, 0], Some("14.90")).dated(
                    ymd(1994, 3, 15).min(months_before(due, 120)),
                    due,
                    Some(ago(40)),
                    None,
                ),
                fixed_claim(index, 1, Card, [112_000, 0, 0, 0, 0], None).dated(
                    months_before(due, 36),
                    due,
                    Some(ago(30)),
                    None,
                ),
            ];
            let mut case = fixed_case(debtor, claims, CaseStatus::Estate, ago(18));
            case.notes.push(note("Décès notifié par la fille du débiteur le ", ago(19), " ; notaire à identifier."));
            case
        }
        5 => {
            let home = Address::fixed("9 rue Servient", "69003", "Lyon");
            let mut debtor = fixed_person(index, 0, ("Perrin", "Sébastien"), ymd(1971, 1, 17), &home);
            debtor.family_situation = FamilySituation::Single;
            debtor.employment = Employment::Benefits;
            debtor.monthly_income = Money::from_cents(101_600);
            debtor.monthly_charges = Money::euros(480);
            debtor.protection = Protection::EnhancedCuratorship;
            debtor.guardian_name = Some("UDAF du Rhône".to_string());
            debtor.guardian_address = Some("12 rue de la Part-Dieu, 69003 Lyon".to_string());
            let due = ago(100);
            let claim = fixed_claim(index, 0, Overdraft, [179_000, 8_000, 0, 0, 0], Some("14.50")).dated(
                months_before(due, 150),
                due,
                Some(months_before(due, 3)),
                Some(months_before(due, 1)),
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::Amicable, ago(90));
            case.notes.push(note(
                "Curatelle renforcée confirmée par l'UDAF le ",
                ago(60),
                " : tout courrier au curateur.",
            ));
            case
        }
        6 => {
            let home = Address::fixed("18 allée des Tilleuls", "44000", "Nantes");
            let mut debtor = fixed_person(index, 0, ("Morel", "Julien"), ymd(1980, 4, 3), &home);
            debtor.phone = Some("06 70 33 12 84".to_string());
            debtor.email = Some("julien.morel@example.fr".to_string());
            debtor.family_situation = FamilySituation::Married;
            debtor.dependants = 2;
            debtor.employer = Some("Logistique du Grand Ouest SAS".to_string());
            debtor.monthly_income = Money::euros(2_650);
            debtor.monthly_charges = Money::euros(900);
            debtor.ficp_registered = true;
            let mut spouse = fixed_person(index, 1, ("Morel", "Élodie"), ymd(1982, 10, 12), &home);
            spouse.family_situation = FamilySituation::Married;
            spouse.dependants = 2;
            spouse.employer = Some("EHPAD Les Glycines".to_string());
            spouse.monthly_income = Money::euros(1_720);
            spouse.monthly_charges = Money::euros(300);
            let due = ago(45);
            let claim = fixed_claim(index, 0, Mortgage, [9_600_000, 0, 0, 0, 0], Some("1.85")).dated(
                ymd(y - 9, 6, 15),
                due,
                Some(months_before(due, 6)),
                Some(months_before(due, 4)),
            );
            let guarantee = Guarantee {
                kind: GuaranteeKind::GuaranteeBody,
                description: text_of(&["Cautionnement Habitat Caution SA du prêt ", &claim.contract_ref]),
                amount: Money::euros(96_000),
            };
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::Amicable, ago(40));
            case.parties.push((PartyRole::CoDebtor, spouse));
            case.guarantees.push(guarantee);
            case.tags.push("prioritaire".to_string());
            case
        }
        7 => {
            let home = Address::fixed("5 boulevard Gambetta", "13001", "Marseille");
            let mut debtor = fixed_person(index, 0, ("Lambert", "Kevin"), ymd(1992, 8, 25), &home);
            debtor.phone = Some("07 58 64 20 91".to_string());
            debtor.family_situation = FamilySituation::Single;
            debtor.employment = Employment::Unemployed;
            debtor.monthly_income = Money::ZERO;
            debtor.monthly_charges = Money::euros(550);
            debtor.ficp_registered = true;
            let due = ago(130);
            let claim = fixed_claim(index, 0, PersonalLoan, [900_000, 0, 0, 0, 0], Some("7.40")).dated(
                months_before(due, 28),
                due,
                Some(months_before(due, 4)),
                None,
            );
            fixed_case(debtor, vec![claim], CaseStatus::Amicable, ago(120))
        }
        8 => {
            let home = Address::fixed("31 rue Oberkampf", "75011", "Paris");
            let mut debtor = fixed_person(index, 0, ("Dupont", "Jean"), ymd(1968, 12, 5), &home);
            debtor.phone = Some("06 12 48 93 27".to_string());
            debtor.email = Some("jean.dupont@example.fr".to_string());
            debtor.iban = Some(external_iban(index, 0, 20_041, 1_005));
            debtor.family_situation = FamilySituation::Married;
            debtor.dependants = 1;
            debtor.employer = Some("Imprimerie du Centre".to_string());
            debtor.monthly_income = Money::euros(2_100);
            debtor.monthly_charges = Money::euros(1_150);
            let due = ago(200);
            let claim = fixed_claim(index, 0, Overdraft, [180_000, 0, 0, 0, 0], Some("14.90")).dated(
                ymd(2001, 9, 10).min(months_before(due, 120)),
                due,
                Some(months_before(due, 3)),
                Some(months_ago(1)),
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::PaymentPlan, ago(190));
            case.notes.push(note(
                "Échéancier de 12 × 150,00 € accordé le ",
                ago(160),
                ", virements mensuels (référence « REMB DUPONT »).",
            ));
            case
        }
        9 => {
            let home = Address::fixed("11 rue du Marché", "67000", "Strasbourg");
            let mut debtor = fixed_person(index, 0, ("Robin", "Céline"), ymd(1990, 3, 19), &home);
            debtor.phone = Some("06 97 15 36 02".to_string());
            debtor.email = Some("celine.robin@example.com".to_string());
            debtor.iban = Some(external_iban(index, 0, 10_278, 1_000));
            debtor.family_situation = FamilySituation::CivilUnion;
            debtor.employer = Some("Horizon Intérim".to_string());
            debtor.monthly_income = Money::euros(1_750);
            debtor.monthly_charges = Money::euros(820);
            debtor.ficp_registered = true;
            let due = ago(150);
            let claim = fixed_claim(index, 0, RevolvingCredit, [225_000, 15_000, 0, 0, 0], Some("17.20")).dated(
                months_before(due, 45),
                due,
                Some(months_before(due, 4)),
                Some(months_ago(1)),
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::PaymentPlan, ago(140));
            case.notes.push(note(
                "Échéancier de 12 × 200,00 € accordé le ",
                ago(95),
                ", prélèvement SEPA (mandat signé).",
            ));
            case
        }
        _ => panic!("there are ten scenario cases, 0 to 9"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    fn spec(cases: usize, seed: u64) -> PortfolioSpec {
        PortfolioSpec {
            cases,
            seed,
            today: ymd(2026, 3, 16),
            officers: vec!["amartin".to_string(), "bdurand".to_string(), "cpetit".to_string()],
        }
    }

    /// ISO 13616 validation, written independently of `french_iban`.
    fn iban_is_valid(iban: &str) -> bool {
        if iban.len() < 5 || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
            return false;
        }
        let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
        let digits: String = rearranged.chars().map(|c| c.to_digit(36).unwrap().to_string()).collect();
        let remainder = digits.bytes().fold(0u64, |acc, b| (acc * 10 + u64::from(b - b'0')) % 97);
        remainder == 1
    }

    fn all_people(case: &NewCase) -> impl Iterator<Item = &Person> {
        std::iter::once(&case.debtor).chain(case.parties.iter().map(|(_, p)| p))
    }

    #[test]
    fn french_iban_matches_known_examples() {
        assert_eq!(french_iban("30006", "00001", "12345678901", "89"), "FR7630006000011234567890189");
        assert_eq!(french_iban("20041", "01005", "0500013M026", "06"), "FR1420041010050500013M02606");
        assert!(iban_is_valid("FR7630006000011234567890189"));
        assert!(!iban_is_valid("FR7630006000011234567890188"));
        assert_eq!(rib_key("30006", "00001", "12345678901"), 89);
        assert_eq!(rib_key("20041", "01005", "0500013M026"), 6);
    }

    proptest! {
        #[test]
        fn iban_with_a_valid_rib_key_is_fr76_and_valid(bank in 0u64..100_000, branch in 0u64..100_000, account in 0u64..100_000_000_000) {
            let (bank, branch, account) = (format!("{bank:05}"), format!("{branch:05}"), format!("{account:011}"));
            let key = format!("{:02}", rib_key(&bank, &branch, &account));
            let iban = french_iban(&bank, &branch, &account, &key);
            prop_assert!(iban.starts_with("FR76"), "{}", iban);
            prop_assert!(iban_is_valid(&iban), "{}", iban);
            prop_assert_eq!(iban.len(), 27);
        }
    }

    #[test]
    fn integer_iban_agrees_with_the_string_helpers() {
        for (index, bank, branch) in [(0, 30_004, 1_289), (12_345, 10_278, 0), (999_999_999, 20_041, 99_999)] {
            let iban = external_iban(index, 1, bank, branch);
            let (bank, branch, account) = (&iban[4..9], &iban[9..14], &iban[14..25]);
            let key = format!("{:02}", rib_key(bank, branch, account));
            assert_eq!(iban, french_iban(bank, branch, account, &key));
        }
    }

    #[test]
    fn same_seed_same_portfolio_different_seed_different() {
        let a: Vec<NewCase> = generate(&spec(300, 42)).collect();
        let b: Vec<NewCase> = generate(&spec(300, 42)).collect();
        let c: Vec<NewCase> = generate(&spec(300, 43)).collect();
        assert_eq!(a.len(), 300);
        assert_eq!(a, b);
        // The scenarios are fixed; the rest depends on the seed.
        assert_eq!(a[..SCENARIOS], c[..SCENARIOS]);
        let differing = a[SCENARIOS..].iter().zip(&c[SCENARIOS..]).filter(|(x, y)| x != y).count();
        assert_eq!(differing, 300 - SCENARIOS);
    }

    #[test]
    fn generate_one_is_the_nth_case_and_ignores_the_count() {
        let small = spec(50, 7);
        let cases: Vec<NewCase> = generate(&small).collect();
        for index in [0, 3, 9, 10, 11, 27, 49] {
            assert_eq!(generate_one(&small, index), cases[index]);
            assert_eq!(generate(&small).nth(index).unwrap(), cases[index]);
        }
        // A case does not depend on the size of the portfolio.
        let large = spec(1_000_000, 7);
        assert_eq!(generate_one(&large, 27), cases[27]);
        assert_eq!(generate_one(&small, 123_456), generate(&large).nth(123_456).unwrap());
    }

    #[test]
    fn officers_only_change_the_assignment() {
        let with = spec(200, 5);
        let without = PortfolioSpec { officers: Vec::new(), ..with.clone() };
        for index in 0..200 {
            let mut a = generate_one(&with, index);
            let b = generate_one(&without, index);
            assert_eq!(b.officer, None);
            if let Some(officer) = &a.officer {
                assert!(with.officers.contains(officer));
            }
            a.officer = None;
            assert_eq!(a, b);
        }
    }

    #[test]
    fn identifiers_are_unique() {
        let mut customers = HashSet::new();
        let mut contracts = HashSet::new();
        let mut ibans = HashSet::new();
        for case in generate(&spec(5_000, 1)) {
            for person in all_people(&case) {
                assert!(customers.insert(person.customer_number.clone()), "{}", person.customer_number);
                assert!(person.customer_number.starts_with('C') && person.customer_number.len() == 10);
                if let Some(iban) = &person.iban {
                    assert!(ibans.insert(iban.clone()), "{iban}");
                }
            }
            for claim in &case.claims {
                assert!(contracts.insert(claim.contract_ref.clone()), "{}", claim.contract_ref);
            }
            for account in &case.other_accounts {
                assert!(contracts.insert(account.account_number.clone()), "{}", account.account_number);
            }
        }
        assert!(customers.len() > 5_000);
    }

    #[test]
    fn ibans_are_valid_and_french() {
        let mut count = 0;
        for case in generate(&spec(2_000, 3)) {
            for iban in all_people(&case).filter_map(|p| p.iban.as_deref()) {
                assert!(iban.starts_with("FR76") && iban.len() == 27, "{iban}");
                assert!(iban_is_valid(iban), "{iban}");
                count += 1;
            }
        }
        assert!(count > 1_000);
    }

    #[test]
    fn amounts_are_positive_and_dates_in_the_past() {
        let spec = spec(5_000, 11);
        let today = spec.today;
        let five_years_ago = months_before(today, 60);
        for case in generate(&spec) {
            assert!(case.opened_on <= today && case.opened_on >= five_years_ago, "{}", case.opened_on);
            assert!(!case.claims.is_empty() && case.claims.len() <= 3);
            for claim in &case.claims {
                let a = &claim.amounts;
                assert!(a.principal.is_positive(), "{claim:?}");
                for part in [a.contractual_interest, a.statutory_interest, a.costs, a.penalties] {
                    assert!(!part.is_negative(), "{claim:?}");
                }
                assert!(claim.due_on <= case.opened_on, "{claim:?}");
                let opened = claim.opened_on.unwrap();
                assert!(opened < claim.due_on, "{claim:?}");
                if let Some(incident) = claim.first_incident_on {
                    assert!(incident >= opened && incident <= claim.due_on, "{claim:?}");
                }
                if let Some(paid) = claim.last_payment_on {
                    assert!(paid <= today && paid >= opened, "{claim:?}");
                }
                // Indemnity caps: 8 % of capital for consumer credit, 7 % for a mortgage.
                let cap = if claim.nature == ClaimNature::Mortgage { 7 } else { 8 };
                assert!(a.penalties.cents() * 100 <= a.principal.cents() * cap, "{claim:?}");
                if let Some(rate) = &claim.contractual_rate {
                    assert!(rate.parse::<rust_decimal::Decimal>().is_ok(), "{rate}");
                }
            }
            for guarantee in &case.guarantees {
                assert!(guarantee.amount.is_positive(), "{guarantee:?}");
            }
            for account in &case.other_accounts {
                assert!(account.balance.is_positive());
                assert_eq!(account.account_number.len(), 11);
            }
            for person in all_people(&case) {
                let birth = person.birth_date.unwrap();
                assert!((1945..=2003).contains(&birth.year()), "{birth}");
                assert!(!person.monthly_income.is_negative() && !person.monthly_charges.is_negative());
                if let Some(died) = person.deceased_on {
                    assert!(died <= today && died > birth);
                }
                if let Some(email) = &person.email {
                    assert!(email.ends_with("@example.fr") || email.ends_with("@example.com"), "{email}");
                    assert!(email.is_ascii(), "{email}");
                }
                if let Some(phone) = &person.phone {
                    assert!(phone.starts_with("06 ") || phone.starts_with("07 "), "{phone}");
                    assert_eq!(phone.len(), 14);
                }
                assert_eq!(person.protection.requires_guardian(), person.guardian_name.is_some());
                assert_eq!(person.guardian_name.is_some(), person.guardian_address.is_some());
            }
            assert!(case.notes.len() <= 2);
        }
    }

    #[test]
    fn distributions_are_plausible() {
        let spec = spec(5_000, 2024);
        let today = spec.today;
        let cases: Vec<NewCase> = generate(&spec).skip(SCENARIOS).collect();
        let n = cases.len() as f64;
        let share = |count: usize| count as f64 / n;

        let claims: Vec<&Claim> = cases.iter().flat_map(|c| &c.claims).collect();
        let nature_share = |nature| claims.iter().filter(|c| c.nature == nature).count() as f64 / claims.len() as f64;
        let bounds = [
            (ClaimNature::Overdraft, 0.27, 0.43),
            (ClaimNature::Card, 0.06, 0.15),
            (ClaimNature::RevolvingCredit, 0.15, 0.27),
            (ClaimNature::PersonalLoan, 0.19, 0.33),
            (ClaimNature::Mortgage, 0.06, 0.14),
        ];
        for (nature, lo, hi) in bounds {
            let s = nature_share(nature);
            assert!((lo..=hi).contains(&s), "{nature}: {s}");
        }
        for (nature, lo, hi) in [(ClaimNature::Overdraft, 150, 8_000), (ClaimNature::Mortgage, 30_000, 350_000)] {
            for claim in claims.iter().filter(|c| c.nature == nature) {
                let principal = claim.amounts.principal;
                assert!(principal >= Money::euros(lo) && principal <= Money::euros(hi), "{claim:?}");
            }
        }

        let multi = share(cases.iter().filter(|c| c.claims.len() > 1).count());
        assert!((0.08..=0.20).contains(&multi), "several claims: {multi}");
        let with_role = |role| share(cases.iter().filter(|c| c.parties.iter().any(|(r, _)| *r == role)).count());
        let co = with_role(PartyRole::CoDebtor);
        assert!((0.11..=0.19).contains(&co), "co-debtors: {co}");
        let guarantors = with_role(PartyRole::Guarantor);
        assert!((0.05..=0.11).contains(&guarantors), "guarantors: {guarantors}");
        for case in &cases {
            for (role, person) in &case.parties {
                if *role == PartyRole::CoDebtor && case.debtor.family_situation == FamilySituation::Married {
                    assert_eq!(person.last_name, case.debtor.last_name);
                }
            }
            if case.parties.iter().any(|(r, _)| *r == PartyRole::Guarantor) {
                assert!(case.guarantees.iter().any(|g| g.kind == GuaranteeKind::PersonalSurety));
            }
        }

        let deceased = share(cases.iter().filter(|c| c.debtor.deceased_on.is_some()).count());
        assert!((0.005..=0.03).contains(&deceased), "deceased: {deceased}");
        let protected = share(cases.iter().filter(|c| c.debtor.protection != Protection::None).count());
        assert!((0.01..=0.035).contains(&protected), "protected: {protected}");
        let over = share(cases.iter().filter(|c| c.debtor.over_indebtedness != OverIndebtedness::None).count());
        assert!((0.025..=0.06).contains(&over), "over-indebted: {over}");
        for case in &cases {
            if case.debtor.over_indebtedness == OverIndebtedness::Admissible {
                assert_eq!(case.status, CaseStatus::Suspended);
            }
        }
        let accounts = share(cases.iter().filter(|c| !c.other_accounts.is_empty()).count());
        assert!((0.33..=0.47).contains(&accounts), "other accounts: {accounts}");

        let status_share = |status| share(cases.iter().filter(|c| c.status == status).count());
        for status in CaseStatus::ALL {
            assert!(status_share(*status) > 0.004, "{status}: {}", status_share(*status));
        }
        assert!((0.05..=0.12).contains(&status_share(CaseStatus::Closed)));
        assert!((0.11..=0.21).contains(&status_share(CaseStatus::PaymentPlan)));

        let employed = share(cases.iter().filter(|c| c.debtor.employment == Employment::Employed).count());
        assert!((0.48..=0.60).contains(&employed), "employed: {employed}");
        for case in &cases {
            let d = &case.debtor;
            match d.employment {
                Employment::Employed => {
                    assert!(d.employer.is_some());
                    assert!(d.monthly_income >= Money::euros(1_400) && d.monthly_income <= Money::euros(4_500));
                }
                Employment::Benefits => assert!(d.monthly_income >= Money::euros(600)),
                _ => assert!(d.employer.is_none()),
            }
        }

        // Work due this week, and files close to foreclosure (first incident 20–23 months ago).
        let this_week = cases.iter().filter(|c| (today - c.opened_on).num_days() <= 7).count();
        assert!(this_week > 100, "opened this week: {this_week}");
        let near = cases
            .iter()
            .filter(|c| {
                c.claims.iter().any(|claim| {
                    claim.nature.is_consumer_credit()
                        && claim
                            .first_incident_on
                            .is_some_and(|d| d <= months_before(today, 20) && d > months_before(today, 24))
                })
            })
            .count();
        assert!(near > 100, "near foreclosure: {near}");

        let new_cases: Vec<&NewCase> = cases.iter().filter(|c| c.status == CaseStatus::New).collect();
        assert!(new_cases.iter().any(|c| c.officer.is_none()));
        assert!(cases.iter().filter(|c| c.status != CaseStatus::New).all(|c| c.officer.is_some()));
        let tagged = share(cases.iter().filter(|c| !c.tags.is_empty()).count());
        assert!((0.05..=0.25).contains(&tagged), "tagged: {tagged}");
    }

    #[test]
    fn scenario_cases_are_at_fixed_indexes() {
        let spec = spec(10, 99);
        let today = spec.today;
        let cases: Vec<NewCase> = generate(&spec).collect();
        let total = |case: &NewCase| case.claims.iter().map(|c| c.amounts.total()).sum::<Money>();

        let s1 = &cases[0];
        assert_eq!(s1.claims.len(), 1);
        assert_eq!(s1.claims[0].nature, ClaimNature::Overdraft);
        assert_eq!(total(s1), Money::euros(2_340));
        assert_eq!(s1.claims[0].due_on, months_before(today, 3));
        assert_eq!(s1.debtor.employment, Employment::Employed);
        assert_eq!(s1.debtor.monthly_income, Money::euros(1_900));
        assert_eq!(s1.debtor.dependants, 1);
        assert_eq!(s1.debtor.monthly_charges, Money::euros(650));
        assert!(s1.debtor.iban.as_deref().is_some_and(iban_is_valid));

        let s2 = &cases[1];
        assert_eq!(s2.claims[0].nature, ClaimNature::PersonalLoan);
        assert_eq!(total(s2), Money::euros(18_000));
        assert_eq!(s2.claims[0].first_incident_on, Some(months_before(today, 20)));
        assert!(s2.claims[0].last_payment_on.is_some());

        assert_eq!(cases[2].claims[0].nature, ClaimNature::RevolvingCredit);
        assert_eq!(total(&cases[2]), Money::euros(4_800));
        assert_eq!(cases[2].debtor.employment, Employment::Benefits);

        assert_eq!(cases[3].claims.len(), 3);
        assert_eq!(cases[3].debtor.over_indebtedness, OverIndebtedness::Admissible);
        assert_eq!(cases[3].status, CaseStatus::Suspended);
        assert_eq!(cases[3].debtor.postcode, "57000");

        let s5 = &cases[4];
        assert!(s5.debtor.deceased_on.is_some());
        assert_eq!(s5.status, CaseStatus::Estate);
        let natures: Vec<_> = s5.claims.iter().map(|c| (c.nature, c.amounts.total())).collect();
        assert_eq!(natures, [(ClaimNature::Overdraft, Money::euros(640)), (ClaimNature::Card, Money::euros(1_120))]);

        assert_eq!(cases[5].debtor.protection, Protection::EnhancedCuratorship);
        assert_eq!(cases[5].debtor.guardian_name.as_deref(), Some("UDAF du Rhône"));

        let s7 = &cases[6];
        assert_eq!(s7.claims[0].nature, ClaimNature::Mortgage);
        assert_eq!(s7.claims[0].amounts.principal, Money::euros(96_000));
        assert_eq!(s7.guarantees[0].kind, GuaranteeKind::GuaranteeBody);

        assert_eq!(total(&cases[7]), Money::euros(9_000));
        assert_eq!(cases[7].debtor.monthly_income, Money::ZERO);

        let s9 = &cases[8];
        assert_eq!(s9.debtor.display_name(), "DUPONT Jean");
        assert_eq!(s9.status, CaseStatus::PaymentPlan);
        assert!(s9.notes[0].contains("150,00"));

        assert_eq!(cases[9].status, CaseStatus::PaymentPlan);
        assert_eq!(total(&cases[9]), Money::euros(2_400));
        assert!(cases[9].debtor.iban.is_some());

        for (index, case) in cases.iter().enumerate() {
            assert_eq!(case.officer.as_deref(), Some(spec.officers[index % 3].as_str()));
            assert!(case.opened_on <= today);
            for claim in &case.claims {
                assert!(claim.due_on <= case.opened_on);
                assert!(claim.opened_on.unwrap() < claim.due_on);
            }
        }
    }

    /// `cargo test --release -p recouvre-domain portfolio -- --ignored --nocapture`
    #[test]
    #[ignore = "timing, run in release"]
    fn million_cases_timing() {
        let spec = spec(1_000_000, 1);
        let start = std::time::Instant::now();
        let mut claims = 0usize;
        let mut statuses = [0usize; 9];
        let mut natures = [0usize; 5];
        let mut total = Money::ZERO;
        for case in generate(&spec) {
            claims += case.claims.len();
            statuses[CaseStatus::ALL.iter().position(|s| *s == case.status).unwrap()] += 1;
            for claim in &case.claims {
                natures[ClaimNature::ALL.iter().position(|n| *n == claim.nature).unwrap()] += 1;
                total += claim.amounts.total();
            }
        }
        let elapsed = start.elapsed();
        println!("1 000 000 cases, {claims} claims, {} in all, in {elapsed:?}", total.to_french());
        for (status, count) in CaseStatus::ALL.iter().zip(statuses) {
            println!("  {status:<13} {:5.1} %", count as f64 / 10_000.0);
        }
        for (nature, count) in ClaimNature::ALL.iter().zip(natures) {
            println!("  {nature:<16} {:5.1} %", count as f64 * 100.0 / claims as f64);
        }
    }
}
