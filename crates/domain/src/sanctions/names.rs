//! Normalisation: the words a name is compared on (folded, ignored words dropped).

/// Words dropped from names (sorted: looked up by binary search). See the module doc.
#[rustfmt::skip]
pub(super) const IGNORED_WORDS: [&str; 49] = [
    "af", "al", "and", "ben", "bin", "bint", "da", "das", "de", "del", "della", "den", "der", "des", "di", "do",
    "docteur", "dos", "dr", "du", "el", "ep", "epouse", "epoux", "et", "ibn", "madame", "mademoiselle", "maitre",
    "me", "messieurs", "mlle", "mlles", "mme", "mmes", "monsieur", "mr", "mrs", "ms", "nee", "ou", "ould", "ter",
    "ul", "van", "veuve", "von", "vve", "zu",
];

/// The tokens a name is compared on: folded (lowercase ASCII for Latin letters, accents
/// removed), split on anything that is not a letter or a digit, ignored words dropped (see the
/// module doc), sorted. `normalize_name("DUPONT, Jean-Pierre")` is `["dupont", "jean", "pierre"]`.
pub fn normalize_name(name: &str) -> Vec<String> {
    let mut tokens = name_words(name);
    tokens.sort();
    tokens
}

/// The words of a name, folded, ignored words dropped, in their order.
pub(super) fn name_words(name: &str) -> Vec<String> {
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
pub(super) fn fold(text: &str) -> String {
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
pub(super) fn fold_char(c: char) -> Option<&'static str> {
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
