//! The JSON reader for cases: one pass over the text, in time linear in its size,
//! producing a [`Node`] with every number exactly as written (never through a float) and
//! every key with its place. Stricter than a general JSON library where a case needs
//! it: a key written twice in one object is refused at the second, nesting is bounded,
//! and every refusal says in Dutch where and what to write instead. A byte-order mark
//! at the start is skipped.

use super::node::{Entries, Entry, Node};

/// How deep objects and lists may nest: a case is flat, a list one level deeper.
pub const MAX_DEPTH: usize = 32;

/// Why the text is not a case in JSON: where (a byte offset) and what to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub at: usize,
    pub message: String,
    pub help: Option<String>,
    /// A key written twice (the code differs from a syntax error).
    pub duplicate: bool,
    /// Nested deeper than [`MAX_DEPTH`].
    pub too_deep: bool,
}

impl JsonError {
    fn new(at: usize, message: impl Into<String>) -> Self {
        JsonError {
            at,
            message: message.into(),
            help: None,
            duplicate: false,
            too_deep: false,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// For the other readers of this module's parent.
    pub(super) fn new_pub(at: usize, message: impl Into<String>) -> Self {
        JsonError::new(at, message)
    }

    pub(super) fn with_help(self, help: impl Into<String>) -> Self {
        self.help(help)
    }
}

/// The error for a key written a second time (at byte `at`), naming the line of the
/// first: the same in every channel.
pub(super) fn twice(text: &str, key: &str, at: usize, first: &Entry) -> JsonError {
    let (line, _) = line_col(text, first.at.0);
    let mut e = JsonError::new(
        at,
        format!(
            "`{}` staat twee keer in de casus (eerst op regel {line})",
            crate::text::excerpt(key)
        ),
    )
    .help("houd één van de twee: een feit heeft één waarde");
    e.duplicate = true;
    e
}

/// Reads one JSON value that fills the whole text (whitespace around it allowed).
///
/// # Errors
/// The first place where the text is not JSON, or a key written twice, or nesting
/// deeper than [`MAX_DEPTH`].
pub(crate) fn parse(text: &str) -> Result<Node, JsonError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        at: start,
    };
    r.space();
    let node = r.value(0)?;
    r.space();
    if r.at < r.bytes.len() {
        return Err(JsonError::new(r.at, "na de casus staat nog tekst")
            .help("een casus is één JSON-object `{...}`; voor meer casussen gebruikt u `wiebetaalt batch` met één casus per regel"));
    }
    Ok(node)
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn end(&self) -> JsonError {
        JsonError::new(self.at, "de tekst houdt op midden in de casus")
            .help("controleer of elke `{`, `[` en `\"` weer gesloten wordt")
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        match self.peek() {
            None => Err(self.end()),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.list(depth + 1),
            Some(b'"') => self.string().map(Node::Text),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.word("true", Node::Bool(true)),
            Some(b'f') => self.word("false", Node::Bool(false)),
            Some(b'n') => self.word("null", Node::Null),
            Some(b'\'') => Err(JsonError::new(
                self.at,
                "in JSON staat een tekst tussen dubbele aanhalingstekens, niet tussen enkele",
            )
            .help("schrijf `\"...\"`")),
            Some(_) => Err(self.unexpected(
                "een waarde: een tekst tussen `\"`, een getal, `true`, `false`, `null`, een lijst `[...]` of een object `{...}`",
            )),
        }
    }

    /// What stands here, for a message: the next character, or "het einde".
    fn here(&self) -> String {
        match self.text.get(self.at..).and_then(|t| t.chars().next()) {
            Some(c) => format!("`{c}`"),
            None => "het einde van de tekst".to_string(),
        }
    }

    fn unexpected(&self, expected: &str) -> JsonError {
        JsonError::new(
            self.at,
            format!(
                "hier staat {}, maar hier verwacht ik {expected}",
                self.here()
            ),
        )
    }

    fn word(&mut self, word: &str, node: Node) -> Result<Node, JsonError> {
        if self
            .text
            .get(self.at..)
            .is_some_and(|t| t.starts_with(word))
        {
            self.at += word.len();
            return Ok(node);
        }
        let mut e = self.unexpected("`true`, `false` of `null`");
        let written: String = self
            .text
            .get(self.at..)
            .unwrap_or_default()
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        if matches!(written.as_str(), "ja" | "nee" | "waar" | "onwaar") {
            e.help = Some(format!(
                "schrijf `{}` (zonder aanhalingstekens), of `\"{written}\"` als tekst",
                if matches!(written.as_str(), "ja" | "waar") {
                    "true"
                } else {
                    "false"
                }
            ));
        }
        Err(e)
    }

    /// Nesting deeper than [`MAX_DEPTH`] is refused where it starts, without reading on.
    fn too_deep(&self, help: &str) -> JsonError {
        let mut e = JsonError::new(
            self.at,
            format!("de casus is dieper genest dan {MAX_DEPTH} niveaus"),
        )
        .help(help);
        e.too_deep = true;
        e
    }

    fn object(&mut self, depth: usize) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.too_deep("een casus is een plat object: `{\"feit\": waarde, ...}`"));
        }
        self.at += 1; // {
        let mut entries = Entries::default();
        self.space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(entries.into_map());
        }
        loop {
            self.space();
            if self.peek() != Some(b'"') {
                let mut e = self.unexpected("een sleutel tussen `\"`");
                if self.peek() == Some(b'}') {
                    e = JsonError::new(self.at, "na de laatste waarde staat een komma te veel")
                        .help("haal de komma voor `}` weg");
                } else if self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                {
                    e.help = Some(
                        "zet de sleutel tussen dubbele aanhalingstekens: `\"naam\": waarde`"
                            .to_string(),
                    );
                }
                return Err(e);
            }
            let key_start = self.at;
            let key = self.string()?;
            let key_end = self.at;
            if let Some(first) = entries.get(&key) {
                return Err(twice(self.text, &key, key_start, first));
            }
            self.space();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("`:` na de sleutel"));
            }
            self.at += 1;
            self.space();
            let value = self.value(depth)?;
            entries.push(Entry {
                key,
                // The name without its quotes.
                at: (key_start + 1, key_end.saturating_sub(1).max(key_start + 1)),
                value,
            });
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(entries.into_map());
                }
                None => return Err(self.end()),
                Some(_) => {
                    return Err(self.unexpected("`,` of `}`").help(
                        "zet een komma tussen twee paren `\"feit\": waarde`, en sluit het object met `}`",
                    ))
                }
            }
        }
    }

    fn list(&mut self, depth: usize) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(
                self.too_deep("een lijst in een casus bevat alleen waarden: `[\"eed\", \"adhd\"]`")
            );
        }
        self.at += 1; // [
        let mut items = Vec::new();
        self.space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Node::List(items));
        }
        loop {
            self.space();
            if self.peek() == Some(b']') {
                return Err(JsonError::new(
                    self.at,
                    "na de laatste waarde staat een komma te veel",
                )
                .help("haal de komma voor `]` weg"));
            }
            items.push(self.value(depth)?);
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Node::List(items));
                }
                None => return Err(self.end()),
                Some(_) => return Err(self.unexpected("`,` of `]`")),
            }
        }
    }

    /// A JSON number, kept as written: `-12.50`, `1e3`.
    fn number(&mut self) -> Result<Node, JsonError> {
        let start = self.at;
        let digits = |r: &mut Self| {
            let from = r.at;
            while matches!(r.peek(), Some(b'0'..=b'9')) {
                r.at += 1;
            }
            r.at > from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        if self.peek() == Some(b'0') {
            self.at += 1;
            if matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(JsonError::new(start, "een getal in JSON begint niet met een 0")
                    .help("schrijf het getal zonder voorloopnullen, of als tekst tussen `\"` als het een code is"));
            }
        } else if !digits(self) {
            return Err(self.unexpected("een cijfer"));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !digits(self) {
                return Err(self.unexpected("een cijfer na de punt"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !digits(self) {
                return Err(self.unexpected("een cijfer in de exponent"));
            }
        }
        if self.peek() == Some(b',') && matches!(self.bytes.get(self.at + 1), Some(b'0'..=b'9')) {
            let written = self.text.get(start..self.at + 2).unwrap_or_default();
            return Err(JsonError::new(
                self.at,
                format!(
                    "in JSON schrijft u decimalen met een punt, niet met een komma (`{written}…`)"
                ),
            )
            .help("schrijf bijvoorbeeld `12.5` in plaats van `12,5`"));
        }
        Ok(Node::Number(
            self.text
                .get(start..self.at)
                .unwrap_or_default()
                .to_string(),
        ))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let open = self.at;
        self.at += 1; // "
        let mut out = String::new();
        loop {
            let rest = self.bytes.get(self.at..).unwrap_or_default();
            // Copy the plain run up to the next quote, backslash or control character.
            let run = rest
                .iter()
                .position(|b| matches!(b, b'"' | b'\\') || *b < 0x20)
                .unwrap_or(rest.len());
            out.push_str(self.text.get(self.at..self.at + run).unwrap_or_default());
            self.at += run;
            match self.peek() {
                None => {
                    return Err(JsonError::new(open, "deze tekst wordt niet gesloten")
                        .help("sluit de tekst met `\"`"))
                }
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    return Err(JsonError::new(
                        self.at,
                        "een tekst loopt over een regeleinde of bevat een teken dat in JSON niet kan",
                    )
                    .help("schrijf een regeleinde in een tekst als `\\n`, of sluit de tekst eerder met `\"`"))
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                let first = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&first) {
                    // A surrogate pair: the second half must follow.
                    if self
                        .text
                        .get(self.at..)
                        .is_some_and(|t| t.starts_with("\\u"))
                    {
                        self.at += 2;
                        let second = self.hex4()?;
                        let code = 0x10000
                            + ((first - 0xD800) << 10)
                            + (second.wrapping_sub(0xDC00) & 0x3FF);
                        char::from_u32(code).filter(|_| (0xDC00..0xE000).contains(&second))
                    } else {
                        None
                    }
                } else {
                    char::from_u32(first)
                };
                let c = c.ok_or_else(|| {
                    JsonError::new(self.at, "deze `\\u`-code is geen geldig teken")
                })?;
                out.push(c);
                return Ok(());
            }
            _ => {
                return Err(JsonError::new(
                    self.at,
                    format!("`\\` gevolgd door {} kan in JSON niet", self.here()),
                )
                .help("schrijf een backslash als `\\\\`"))
            }
        };
        self.at += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.text.get(self.at..self.at + 4).unwrap_or_default();
        let value = u32::from_str_radix(digits, 16)
            .ok()
            .filter(|_| digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                JsonError::new(self.at, "na `\\u` verwacht ik vier hexadecimale cijfers")
            })?;
        self.at += 4;
        Ok(value)
    }
}

/// The byte ranges of the elements of a JSON array that fills the whole text (a batch
/// given as one array of cases), each checked to be JSON.
///
/// # Errors
/// The first place where the text is not such an array.
pub fn array_items(text: &str) -> Result<Vec<(usize, usize)>, JsonError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        at: start,
    };
    r.space();
    if r.peek() != Some(b'[') {
        return Err(r.unexpected("`[`, het begin van een lijst van casussen"));
    }
    r.at += 1;
    let mut out = Vec::new();
    r.space();
    if r.peek() == Some(b']') {
        r.at += 1;
    } else {
        loop {
            r.space();
            let from = r.at;
            r.value(1)?;
            out.push((from, r.at));
            r.space();
            match r.peek() {
                Some(b',') => r.at += 1,
                Some(b']') => {
                    r.at += 1;
                    break;
                }
                None => return Err(r.end()),
                Some(_) => return Err(r.unexpected("`,` of `]`")),
            }
        }
    }
    r.space();
    if r.at < r.bytes.len() {
        return Err(JsonError::new(
            r.at,
            "na de lijst van casussen staat nog tekst",
        ));
    }
    Ok(out)
}

/// The 1-based line and column of a byte offset.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at.min(text.len())).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(node: &Node) -> Vec<&str> {
        match node {
            Node::Map(entries) => entries.iter().map(|e| e.key.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn numbers_keep_their_text() {
        let n = parse(r#"{"leeftijd": 6.99999999999999999, "k": -0.5e-3, "x": 0}"#).unwrap();
        let Node::Map(entries) = n else { panic!() };
        let texts: Vec<&Node> = entries.iter().map(|e| &e.value).collect();
        assert!(matches!(texts[0], Node::Number(t) if t == "6.99999999999999999"));
        assert!(matches!(texts[1], Node::Number(t) if t == "-0.5e-3"));
        assert!(matches!(texts[2], Node::Number(t) if t == "0"));
    }

    #[test]
    fn strings_and_escapes() {
        let n = parse("\u{feff}{\"a\\\"b\": \"\\u00e9\\ud83d\\ude00\\n\"}").unwrap();
        assert_eq!(keys(&n), ["a\"b"]);
        let Node::Map(entries) = n else { panic!() };
        assert!(matches!(&entries[0].value, Node::Text(t) if t == "é😀\n"));
    }

    #[test]
    fn a_key_twice_is_refused_at_the_second() {
        let text = "{\"wlz_indicatie\": true,\n \"wlz_indicatie\": false}";
        let e = parse(text).unwrap_err();
        assert!(e.duplicate);
        assert_eq!(line_col(text, e.at), (2, 2));
        assert!(e.message.contains("eerst op regel 1"), "{}", e.message);
    }

    #[test]
    fn refusals_say_where_and_what() {
        let table: &[(&str, &str)] = &[
            ("{\"a\": 1,}", "komma te veel"),
            ("{a: 1}", "sleutel tussen"),
            ("{\"a\": 'x'}", "dubbele aanhalingstekens"),
            ("{\"a\": 12,5}", "met een punt"),
            ("{\"a\": 01}", "voorloopnullen"),
            ("{\"a\": ja}", "`true`"),
            ("{\"a\": 1", "houdt op"),
            ("{\"a\": \"x", "niet gesloten"),
            ("{\"a\": 1} {}", "nog tekst"),
            ("{\"a\" 1}", "`:`"),
            ("[1, 2,]", "komma te veel"),
        ];
        for (text, expected) in table {
            let e = parse(text).unwrap_err();
            let all = format!("{} {}", e.message, e.help.clone().unwrap_or_default());
            assert!(all.contains(expected), "{text}: {all}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let text = "[".repeat(120_000);
        let e = parse(&text).unwrap_err();
        assert!(e.too_deep);
        assert!(e.at < 100);
    }
}
