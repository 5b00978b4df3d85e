//! What rule authors write that the language does not have — Dutch synonyms, the
//! notation of other tools, uppercase keywords — recognised at a syntax error, with the
//! words to write instead. Each hint is checked by `tests/cases/parse/err/`: applied, it
//! gives what the author meant.

/// A hint for a syntax error at byte `at`, where `found` stands: a better message (and
/// where to point, as a byte range), and what to write instead.
pub struct Hint {
    pub message: String,
    pub help: String,
    pub at: Option<(usize, usize)>,
}

/// The words before `at` on its line, nearest first.
fn words_before(text: &str, at: usize) -> Vec<&str> {
    let line_start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = text.get(line_start..at).unwrap_or_default();
    before
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| !w.is_empty())
        .rev()
        .collect()
}

/// The text from `at` to the end of its line.
fn rest_of_line(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or_default();
    rest.split('\n').next().unwrap_or_default()
}

fn hint(message: impl Into<String>, help: impl Into<String>) -> Option<Hint> {
    Some(Hint {
        message: message.into(),
        help: help.into(),
        at: None,
    })
}

/// Words that other rule languages (and everyday Dutch) use, with the word to write.
const SYNONYMS: &[(&str, &str)] = &[
    ("indien", "als"),
    ("wanneer", "als"),
    ("zodra", "als"),
    ("dus", "dan"),
    ("uitleg", "toelichting"),
    ("omschrijving", "toelichting"),
    ("beschrijving", "toelichting"),
    ("opmerking", "toelichting"),
    ("bronnen", "bron"),
    ("vraagt", "vraag"),
    ("vragen", "vraag"),
    ("uitzonderingen", "uitzondering"),
    ("en/of", "of"),
    ("anders_dan", "anders"),
];

/// The hint for a syntax error, if one is known.
pub fn for_error(found: &str, text: &str, at: usize) -> Option<Hint> {
    let before = words_before(text, at);
    let prev = before.first().copied().unwrap_or_default();
    let prev2 = before.get(1).copied().unwrap_or_default();
    let rest = rest_of_line(text, at);
    let lower = found.to_lowercase();

    // Keywords in capitals: `ALS`, `Dan`.
    if found != lower && super::is_keyword(&lower) {
        return hint(
            format!("`{found}` is een sleutelwoord in hoofdletters"),
            format!("sleutelwoorden schrijft u met kleine letters: `{lower}`"),
        );
    }
    // Comparisons in words other languages use.
    match (prev, found) {
        ("groter", "dan") | (_, "groter") => {
            return hint(
                "`groter dan` kent de taal niet",
                "schrijf `meer dan` (of `>`), bijvoorbeeld `leeftijd meer dan 12`",
            )
        }
        ("kleiner", "dan") | (_, "kleiner") => {
            return hint(
                "`kleiner dan` kent de taal niet",
                "schrijf `minder dan` (of `<`), bijvoorbeeld `leeftijd minder dan 12`",
            )
        }
        (_, "gelijk") => {
            return hint(
                "`gelijk aan` kent de taal niet",
                "schrijf `is` (of `=`), bijvoorbeeld `leeftijd is 12`",
            )
        }
        (_, "tenzij") => {
            return hint(
                "`tenzij` kent de taal niet",
                "schrijf `en niet ...`, bijvoorbeeld `als soort is begeleiding en niet wlz_indicatie`; voor een regel die voorgaat schrijft u een eigen regel met `uitzondering op`",
            )
        }
        ("een", "van") if prev2 == "is" => {
            return hint(
                "`is een van` kent de taal niet",
                "schrijf `in [...]`, bijvoorbeeld `plaats in [school, thuis]`",
            )
        }
        _ => {}
    }
    // `bevat geen eed`: the error comes after `geen`.
    if prev == "geen" && prev2 == "bevat" {
        let start = text.get(..at).and_then(|t| t.rfind("geen")).unwrap_or(at);
        return Some(Hint {
            message: "`bevat geen` kent de taal niet".to_string(),
            help: format!("schrijf `bevat niet {found}`"),
            at: Some((start, start + "geen".len())),
        });
    }
    if let Some((_, right)) = SYNONYMS.iter().find(|(w, _)| *w == lower) {
        return hint(
            format!("`{found}` kent de taal niet"),
            format!("schrijf `{right}`"),
        );
    }
    // `schrap feit x`: only rules can be removed.
    if prev == "schrap" && matches!(found, "feit" | "begrip" | "domein" | "voorbeeld") {
        return hint(
            format!("alleen een regel kan geschrapt worden, geen {found}"),
            format!("laat het {found} staan (een regel die het niet leest, merkt er niets van), of schrijf `vervang {found} ...` met een nieuwe declaratie"),
        );
    }
    // `tussen` belongs to the declaration of a number.
    if found == "tussen" {
        return hint(
            "`tussen` hoort bij de declaratie van een getal, niet in een voorwaarde",
            "schrijf `leeftijd ten minste 4 en leeftijd ten hoogste 12`",
        );
    }
    // `tot en met`: `tot` is the first day it no longer applies.
    if found == "en" && prev == "tot" {
        let date = rest
            .trim_start_matches("en")
            .trim_start()
            .trim_start_matches("met")
            .trim();
        let next = date
            .split_whitespace()
            .next()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .and_then(|d| d.tomorrow().ok());
        return hint(
            "`tot en met` kent de taal niet: `tot` is de eerste dag waarop het niet meer geldt",
            match next {
                Some(d) => format!("schrijf `tot {d}`"),
                None => "schrijf `tot` met de dag na de laatste dag".to_string(),
            },
        );
    }
    // A Dutch date: `01-08-2025`.
    let date_text: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    let parts: Vec<&str> = date_text.split('-').collect();
    if let [d, m, y] = parts.as_slice() {
        if d.len() <= 2 && m.len() <= 2 && y.len() == 4 {
            return hint(
                format!("`{date_text}` staat in de volgorde dag-maand-jaar"),
                format!("schrijf datums als JJJJ-MM-DD: `{y}-{m:0>2}-{d:0>2}`"),
            );
        }
    }
    // `50,5%`: a decimal comma in a percentage.
    let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if !number.is_empty() {
        let after = rest.get(number.len()..).unwrap_or_default();
        if let Some(frac) = after.strip_prefix(',') {
            let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() {
                let percent = if frac.get(digits.len()..).is_some_and(|t| t.starts_with('%')) {
                    "%"
                } else {
                    ""
                };
                return hint(
                    format!("in `{number},{digits}{percent}` staat een komma"),
                    format!("schrijf decimalen met een punt: `{number}.{digits}{percent}`"),
                );
            }
        }
        // `dan onderwijs 50%, jeugdwet 50%` without `verdeel`.
        if after.starts_with('%') && before.get(1).copied() == Some("dan") {
            return hint(
                "een uitkomst met percentages is een verdeling",
                format!("schrijf `dan verdeel {prev} {number}%, ...`"),
            );
        }
    }
    None
}

/// A name with a hyphen where a declaration starts (`feit zml-school: ja/nee`): pest
/// fails at the declaration's first word; point at the name instead.
pub fn hyphen_in_name(text: &str, at: usize) -> Option<Hint> {
    let line = rest_of_line(text, at);
    let mut words = line.split_whitespace();
    let first = words.next()?;
    if !matches!(
        first,
        "feit" | "regel" | "begrip" | "domein" | "beslissing" | "waarde" | "vervang" | "schrap"
    ) {
        return None;
    }
    let name = words
        .find(|w| w.contains('-'))?
        .trim_end_matches([':', ',']);
    let name = name.split(['(', '"']).next()?;
    if !name.chars().next()?.is_alphabetic() {
        return None;
    }
    let start = at + line.find(name)?;
    Some(Hint {
        message: format!("een naam kan geen `-` bevatten: `{name}`"),
        help: format!("schrijf `{}`", name.replace('-', "_")),
        at: Some((start, start + name.len())),
    })
}
