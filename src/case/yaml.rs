//! The YAML reader for cases, on the event parser of `yaml-rust2`: scalars keep their
//! text, so a number is read exactly as written (never through a float); a key written
//! twice is refused at the second; anchors and aliases, several documents and nesting
//! deeper than [`super::json::MAX_DEPTH`] are refused. Plain scalars follow the YAML
//! 1.2 core schema: `null`, `~` and nothing are null, `true`/`false` yes/no, numbers
//! numbers; a quoted scalar is always text.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::json::{JsonError, MAX_DEPTH};
use super::node::{Entries, Entry, Node};

/// Reads one YAML document.
///
/// # Errors
/// Where the text is not YAML (the parser's place, a Dutch message), or a key twice, an
/// anchor, a second document, or nesting too deep.
pub fn parse(text: &str) -> Result<Node, JsonError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = text.len() - body.len();
    let mut builder = Builder {
        text: body,
        stack: Vec::new(),
        done: None,
        documents: 0,
        error: None,
        cursor: Cursor::default(),
    };
    let mut parser = Parser::new_from_str(body);
    if let Err(e) = parser.load(&mut builder, true) {
        let at = byte_offset(body, e.marker());
        // A list or object opened and not closed on its line shows up later as a
        // misplaced `:`; point at the bracket instead.
        if let Some(open) = unclosed_bracket(body, at) {
            return Err(JsonError::new_pub(
                offset + open,
                "deze lijst of dit object wordt op deze regel niet gesloten",
            )
            .with_help("sluit een lijst met `]` en een object met `}` op dezelfde regel: `problematiek: [eed, adhd]`"));
        }
        return Err(JsonError::new_pub(
            offset + at,
            format!("het casusbestand is geen geldige YAML: {}", dutch(e.info())),
        )
        .with_help("controleer de inspringing en de `:` na elke sleutel rond deze plek; een waarde met een `:` of `#` erin zet u tussen aanhalingstekens"));
    }
    if let Some(mut e) = builder.error {
        e.at += offset;
        return Err(e);
    }
    Ok(builder.done.unwrap_or(Node::Null))
}

/// The first `[` or `{` before byte `before` that is not closed on its own line (outside
/// quotes).
fn unclosed_bracket(text: &str, before: usize) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if at >= before {
            break;
        }
        let mut open: Vec<usize> = Vec::new();
        let mut quote: Option<char> = None;
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => open.push(at + i),
                (None, ']' | '}') => {
                    open.pop();
                }
                _ => {}
            }
        }
        if let Some(first) = open.first() {
            return Some(*first);
        }
        at += line.len();
    }
    None
}

/// The YAML reader's messages (libyaml's, in English) in Dutch: the ones a person can
/// act on say what is wrong; any other says that the YAML is not right at this place
/// (the place is given with it), so no English reaches the user.
fn dutch(info: &str) -> String {
    // The messages of yaml-rust2's scanner and parser, most specific first.
    const KNOWN: &[(&str, &str)] = &[
        ("mapping values are not allowed", "hier staat een `:` waar geen sleutel kan beginnen"),
        ("illegal placement of ':'", "hier staat een `:` op een plek waar die niet kan (een waarde met een `:` erin, of een sleutel zonder eigen regel?)"),
        ("simple key expect", "hier verwacht ik een `:` achter de sleutel"),
        ("mapping keys are not allowed", "hier kan geen sleutel beginnen: staat de regel goed ingesprongen?"),
        ("did not find expected key", "de inspringing klopt hier niet"),
        ("did not find expected '-' indicator", "de inspringing van deze lijst klopt hier niet"),
        ("block sequence entries are not allowed", "een lijst met `- ` kan hier niet beginnen: zet hem op een nieuwe regel, ingesprongen onder de sleutel"),
        ("tab", "hier staat een tab: spring in met spaties"),
        ("expected ',' or ']'", "een lijst `[...]` wordt niet gesloten"),
        ("expected ',' or '}'", "een object `{...}` wordt niet gesloten"),
        ("unknown escape character", "een `\\` in een tekst tussen dubbele aanhalingstekens staat voor iets onbekends: schrijf `\\\\` voor een backslash"),
        ("unicode character escape", "een `\\u` in een tekst tussen dubbele aanhalingstekens is geen geldig teken"),
        ("hexadecimal number", "een `\\x` of `\\u` in een tekst tussen dubbele aanhalingstekens is geen geldig teken"),
        ("trailing content after double-quoted", "na de tekst tussen aanhalingstekens staat nog iets op deze regel"),
        ("quoted scalar, found unexpected end", "een tekst tussen aanhalingstekens wordt niet gesloten"),
        ("quoted scalar, found unexpected document", "een tekst tussen aanhalingstekens wordt niet gesloten"),
        ("invalid indentation in quoted scalar", "een tekst tussen aanhalingstekens loopt door op een regel die niet is ingesprongen"),
        ("unexpected eof", "de casus houdt midden in een waarde op"),
        ("anchor", "een casus gebruikt geen ankers of verwijzingen (`&`, `*`)"),
        ("alias", "een casus gebruikt geen ankers of verwijzingen (`&`, `*`)"),
        ("tag", "een casus gebruikt geen labels met `!`"),
        ("directive", "een casus gebruikt geen aanwijzingen met `%`"),
        ("document indicator", "een casus is één YAML-document (zonder `---` of `...` ertussen)"),
        ("document end marker", "een casus is één YAML-document (zonder `---` of `...` ertussen)"),
        ("incompatible yaml document", "een casus is één YAML-document (zonder `---` of `...` ertussen)"),
        ("<document start>", "hier staat nog iets na de casus: begint elke regel met `feit: waarde`?"),
        ("<document-start>", "hier staat nog iets na de casus: begint elke regel met `feit: waarde`?"),
        ("expected node content", "hier verwacht ik een waarde"),
        ("block scalar", "een tekst met `|` of `>` is hier niet goed ingesprongen"),
        ("comments must be separated", "zet een spatie voor de `#` van een toelichting"),
        ("plain scalar cannot start with '-'", "een waarde kan niet beginnen met `-` gevolgd door `,[]{}`: zet haar tussen aanhalingstekens"),
        ("unexpected character", "hier staat een teken waarmee een waarde niet kan beginnen: zet de waarde tussen aanhalingstekens"),
        ("invalid indentation", "de inspringing klopt hier niet"),
        ("expected whitespace", "hier verwacht ik een spatie"),
        ("recursion limit", "de casus is te diep genest"),
        ("utf-8", "hier staan bytes die geen UTF-8-tekst zijn"),
    ];
    let lower = info.to_lowercase();
    KNOWN
        .iter()
        .find(|(english, _)| lower.contains(&english.to_lowercase()))
        .map_or_else(
            || "de YAML klopt hier niet".to_string(),
            |(_, dutch)| (*dutch).to_string(),
        )
}

/// The byte offset of a marker (its line from 1, its column counting characters).
fn byte_offset(text: &str, m: &Marker) -> usize {
    Cursor::default().seek(text, m)
}

/// A place in the text, moved forward from one marker to the next: the reader's markers
/// come in document order, so finding all of them is linear in the text (starting
/// from the top for each would be quadratic in a case of many keys).
#[derive(Debug, Clone, Copy)]
struct Cursor {
    line: usize,
    col: usize,
    byte: usize,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            line: 1,
            col: 0,
            byte: 0,
        }
    }
}

impl Cursor {
    /// The byte offset of `m`: at its column, or at the end of its line when the
    /// column is past it, or at the end of the text when the line is.
    fn seek(&mut self, text: &str, m: &Marker) -> usize {
        if (m.line(), m.col()) < (self.line, self.col) {
            *self = Cursor::default();
        }
        while self.line < m.line() {
            let Some(end) = text.get(self.byte..).and_then(|t| t.find('\n')) else {
                return text.len();
            };
            self.byte += end + 1;
            self.line += 1;
            self.col = 0;
        }
        while self.col < m.col() {
            match text.get(self.byte..).and_then(|t| t.chars().next()) {
                Some(c) if c != '\n' => {
                    self.byte += c.len_utf8();
                    self.col += 1;
                }
                _ => break,
            }
        }
        self.byte
    }
}

/// One open collection while building.
enum Open {
    List(Vec<Node>),
    /// The entries so far, and a key read whose value comes next.
    Map(Entries, Option<(String, (usize, usize))>),
}

struct Builder<'t> {
    text: &'t str,
    stack: Vec<Open>,
    done: Option<Node>,
    documents: usize,
    error: Option<JsonError>,
    cursor: Cursor,
}

impl Builder<'_> {
    fn fail(&mut self, at: usize, message: String, help: &str) {
        if self.error.is_none() {
            self.error = Some(JsonError::new_pub(at, message).with_help(help));
        }
    }

    /// A case writes its values out: an anchor or alias (`&`, `*`) is refused.
    fn no_anchors(&mut self, at: usize) {
        self.fail(
            at,
            "een casus gebruikt geen ankers of verwijzingen (`&`, `*`)".to_string(),
            "schrijf de waarde zelf uit",
        );
    }

    /// Adds a finished value to the collection that is open, or makes it the document.
    fn push(&mut self, node: Node, at: usize) {
        match self.stack.last_mut() {
            None => self.done = Some(node),
            Some(Open::List(items)) => items.push(node),
            Some(Open::Map(entries, pending)) => match pending.take() {
                Some((key, span)) => entries.push(Entry {
                    key,
                    at: span,
                    value: node,
                }),
                None => {
                    let key = match node {
                        Node::Text(t) | Node::Number(t) => t,
                        Node::Bool(b) => b.to_string(),
                        Node::Null => String::new(),
                        Node::List(_) | Node::Map(_) => {
                            self.fail(
                                at,
                                "een sleutel is hier een lijst of een object".to_string(),
                                "een sleutel is de naam van een feit: `leeftijd: 9`",
                            );
                            return;
                        }
                    };
                    let at = if matches!(self.text.get(at..at + 1), Some("\"" | "'")) {
                        at + 1
                    } else {
                        at
                    };
                    let end = self
                        .text
                        .get(at..)
                        .and_then(|t| {
                            // Only near the key's start: a key written with escapes
                            // is not found, and no search runs through the text.
                            let near = t.get(..t.ceil_char_boundary(key.len() + 4).min(t.len()))?;
                            near.find(key.as_str())
                                .filter(|i| *i < 4)
                                .map(|i| at + i + key.len())
                        })
                        .unwrap_or(at);
                    if let Some(first) = entries.get(&key) {
                        let e = super::json::twice(self.text, &key, at, first);
                        if self.error.is_none() {
                            self.error = Some(e);
                        }
                        return;
                    }
                    *pending = Some((key, (at, end)));
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let at = self.cursor.seek(self.text, &mark);
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(
                        at,
                        "het casusbestand bevat meer dan één document (`---`)".to_string(),
                        "een casusbestand bevat één casus; voor meer casussen gebruikt u `wiebetaalt batch` met een YAML-lijst",
                    );
                }
            }
            Event::Alias(_) => self.no_anchors(at),
            Event::Scalar(value, style, anchor, _) => {
                if anchor != 0 {
                    self.no_anchors(at);
                    return;
                }
                let node = match style {
                    TScalarStyle::Plain => plain(value),
                    _ => Node::Text(value),
                };
                self.push(node, at);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if anchor != 0 {
                    self.no_anchors(at);
                    return;
                }
                if self.stack.len() >= MAX_DEPTH {
                    let mut e = JsonError::new_pub(
                        at,
                        format!("de casus is dieper genest dan {MAX_DEPTH} niveaus"),
                    )
                    .with_help("een casus is een lijst van `feit: waarde`-paren");
                    e.too_deep = true;
                    self.error = Some(e);
                    return;
                }
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Open::Map(Entries::default(), None)
                } else {
                    Open::List(Vec::new())
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Open::List(items)) => Node::List(items),
                    Some(Open::Map(entries, _)) => entries.into_map(),
                    None => return,
                };
                self.push(node, at);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// A plain scalar by the YAML 1.2 core schema.
fn plain(value: String) -> Node {
    match value.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Node::Null,
        "true" | "True" | "TRUE" => Node::Bool(true),
        "false" | "False" | "FALSE" => Node::Bool(false),
        v if is_number(v) => Node::Number(value),
        _ => Node::Text(value),
    }
}

/// `12`, `-0.5`, `+3`, `1e3`, `.5`: a number as YAML 1.2 reads it (not `.inf` or `0x1F`,
/// which a case does not need and which stay text).
fn is_number(v: &str) -> bool {
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (mantissa, exponent) = match v.find(['e', 'E']) {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (digits(a) || a.is_empty())
                && (digits(b) || b.is_empty())
                && !(a.is_empty() && b.is_empty())
        }
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_text_and_keys_their_place() {
        let text = "leeftijd: 6.99999999999999999\nkosten: 1e29\nnaam: '012'\nlijst: [eed, adhd]\n";
        let Node::Map(entries) = parse(text).unwrap() else {
            panic!()
        };
        assert!(matches!(&entries[0].value, Node::Number(t) if t == "6.99999999999999999"));
        assert!(matches!(&entries[1].value, Node::Number(t) if t == "1e29"));
        assert!(matches!(&entries[2].value, Node::Text(t) if t == "012"));
        assert_eq!(entries[1].at.0, text.find("kosten").unwrap());
    }

    #[test]
    fn a_key_twice_is_refused_at_the_second() {
        let text = "wlz_indicatie: true\nleeftijd: 9\nwlz_indicatie: false\n";
        let e = parse(text).unwrap_err();
        assert!(e.duplicate);
        assert_eq!(super::super::json::line_col(text, e.at).0, 3);
    }

    #[test]
    fn anchors_documents_and_depth_are_refused() {
        assert!(parse("a: &x 1\nb: *x\n").is_err());
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        let deep = format!("a: {}", "[".repeat(100));
        assert!(parse(&deep).unwrap_err().message.contains("genest") || parse(&deep).is_err());
    }

    #[test]
    fn core_schema_scalars() {
        assert_eq!(plain("~".into()), Node::Null);
        assert_eq!(plain("true".into()), Node::Bool(true));
        assert_eq!(plain("ja".into()), Node::Text("ja".into()));
        for n in ["12", "-0.5", "+3", "1e3", ".5", "5."] {
            assert!(is_number(n), "{n}");
        }
        for t in ["1.2.3", "0x1F", ".", "e3", "12a", "01-09-2025"] {
            assert!(!is_number(t), "{t}");
        }
    }
}
