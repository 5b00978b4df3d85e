//! Small text helpers that every stage may use: Dutch enumerations, number grouping,
//! amounts in euros, the closest name to a typo, and lowercase hexadecimal.
//!
//! The lowest module of the crate next to [`crate::source`]: it depends on nothing else
//! in the crate, so that diagnostics, reports and the service all say things the same
//! way.

use rust_decimal::Decimal;

/// A name or value in Unicode normal form C, so that `é` typed as one character or as
/// `e` with a combining accent is the same name.
pub fn nfc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    if text.is_ascii() {
        text.to_string()
    } else {
        text.nfc().collect()
    }
}

/// [`nfc`] of a text that is owned already: kept as it is (no copy) when it is in
/// normal form, as every ASCII text is.
pub fn nfc_owned(text: String) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        nfc(&text)
    }
}

/// Text as a terminal may show it: control characters (an escape sequence in a case
/// `id` or a text fact would move the cursor or recolour the screen) and the invisible
/// marks that reverse the direction of text are written as escapes (`\u{1b}`); line ends
/// and tabs stay.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| {
            if hidden(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// A character that [`printable`] writes as an escape.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// [`printable`] for a source shown as a snippet: each hidden character becomes as many
/// `?` as it has bytes, so that every place in the text stays where it was. (A line end
/// `\r` stays too.)
pub fn printable_in_place(text: &str) -> std::borrow::Cow<'_, str> {
    let shown = |c: char| hidden(c) && c != '\r';
    if !text.chars().any(shown) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| {
            if shown(c) {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// User text as a message repeats it: at most 60 characters, then `…` (a value of a
/// megabyte is not sent back whole in its own error).
pub fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    const SHOWN: usize = 60;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

/// A number with the noun in the right form: `1 regel`, `3 regels`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(u64::try_from(n).unwrap_or(u64::MAX)),
        if n == 1 { one } else { many }
    )
}

/// The text with its first letter in upper case: `route` → `Route`.
pub fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Items joined the Dutch way: `a`, `a of b`, `a, b of c` (or with `en`).
pub fn enumerate<S: AsRef<str>>(items: &[S], last_word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {last_word} {}", init.join(", "), last.as_ref())
        }
    }
}

/// Names in backticks joined with `of`: `` `a`, `b` of `c` ``.
pub fn quoted_choices<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.as_ref())).collect();
    enumerate(&quoted, "of")
}

/// The candidate closest to `name`, if it is close enough to be a typo: at most a third
/// of its letters differ (Damerau–Levenshtein). Names of one or two letters get no
/// suggestion: one letter off such a name is a different name.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let length = name.chars().count();
    if length < 3 {
        return None;
    }
    let limit = (length / 3).max(1);
    // A candidate whose length differs by more than the limit cannot be close enough:
    // it is not compared (a name of a megabyte is compared with nothing, at once).
    candidates
        .into_iter()
        .filter(|c| c.chars().count().abs_diff(length) <= limit && length <= 200)
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= limit && *c != name)
        .min()
        .map(|(_, c)| c.to_string())
}

/// Digits in groups of three, the Dutch way: `1234567` as `1.234.567`.
pub fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A count with thousands separators: `1234567` as `1.234.567`.
pub fn thousands(n: u64) -> String {
    grouped(&n.to_string())
}

/// An amount the Dutch way: `€ 1.234,50`.
pub fn euros(amount: Decimal) -> String {
    let mut a = amount;
    a.rescale(2);
    let text = a.abs().to_string();
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let sign = if a.is_sign_negative() && !a.is_zero() {
        "-"
    } else {
        ""
    };
    format!("€ {sign}{},{cents}", grouped(whole))
}

/// A number the Dutch way, for people: a decimal comma, no trailing zeros (`12,5`).
pub fn number(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

/// A path as shown to users: forward slashes.
pub fn display(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            s.push(char::from(
                *DIGITS.get(usize::from(nibble)).unwrap_or(&b'0'),
            ));
        }
    }
    s
}

/// How many bytes at the start of `bytes` JSON writes inside a string as they are: up
/// to the first `"`, `\\` or control character (below U+0020), or all of them. Eight
/// bytes are looked at a time.
pub fn json_plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or([b'"'; 8]));
        // A byte's high bit is set below the first byte that is zero (for `"` and `\\`:
        // after the exclusive or) or below 0x20; bytes after it may be flagged falsely,
        // so only the lowest flag counts.
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        let flags = zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
        if flags != 0 {
            return at + (flags.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| !matches!(b, b'"' | b'\\' | 0..=0x1f))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`json_plain_len`] byte by byte.
    fn plain(bytes: &[u8]) -> usize {
        bytes
            .iter()
            .take_while(|b| !matches!(b, b'"' | b'\\' | 0..=0x1f))
            .count()
    }

    #[test]
    fn json_plain_len_stops_at_the_first_byte_json_escapes() {
        // Every place of every kind of byte in texts of up to 20 bytes, after plain
        // ASCII, bytes beyond ASCII and bytes just above the control characters.
        for len in 0..20 {
            for fill in [b'a', 0x20, 0x21, 0x5b, 0x7f, 0x80, 0xc3, 0xff] {
                for at in 0..=len {
                    for special in [b'"', b'\\', 0, 0x1f, 0x0a, b'!', 0x1e] {
                        let mut text = vec![fill; len];
                        if let Some(b) = text.get_mut(at) {
                            *b = special;
                        }
                        assert_eq!(json_plain_len(&text), plain(&text), "{text:?}");
                        // A second special byte after the first changes nothing.
                        text.push(b'"');
                        text.extend([0x01, b'\\']);
                        assert_eq!(json_plain_len(&text), plain(&text), "{text:?}");
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn json_plain_len_is_the_bytes_before_the_first_escaped_one(
            text in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)
        ) {
            proptest::prop_assert_eq!(json_plain_len(&text), plain(&text));
        }
    }

    #[test]
    fn enumerations_read_as_dutch() {
        assert_eq!(enumerate::<&str>(&[], "of"), "");
        assert_eq!(enumerate(&["a"], "of"), "a");
        assert_eq!(enumerate(&["a", "b", "c"], "of"), "a, b of c");
        assert_eq!(quoted_choices(&["ja", "nee"]), "`ja` of `nee`");
    }

    #[test]
    fn close_names_only() {
        let names = ["plaats", "doel", "onder_schooltijd"];
        assert_eq!(closest("plaaats", names).as_deref(), Some("plaats"));
        assert_eq!(closest("xyz", names), None);
        assert_eq!(
            closest("plaats", names),
            None,
            "a name is no typo of itself"
        );
    }

    #[test]
    fn amounts_and_counts() {
        assert_eq!(euros(Decimal::new(123_450, 2)), "€ 1.234,50");
        assert_eq!(thousands(1_234_567), "1.234.567");
        assert_eq!(number(Decimal::new(1250, 2)), "12,5");
        assert_eq!(hex(&[0x0f, 0xa0]), "0fa0");
    }
}
