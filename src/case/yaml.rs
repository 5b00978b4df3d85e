//! The YAML reader for cases, on the event parser of `yaml-rust2`: scalars keep their
//! text, so a number is read exactly as written (never through a float); a key written
//! twice is refused at the second; anchors and aliases, several documents and nesting
//! deeper than [`super::json::MAX_DEPTH`] are refused. Plain scalars follow the YAML
//! 1.2 core schema: `null`, `~` and nothing are null, `true`/`false` yes/no, numbers
//! numbers; a quoted scalar is always text.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::json::{JsonError, MAX_DEPTH};
use super::node::{Entry, Node};

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

/// The parser's messages that a person can act on, in Dutch; others as they are.
fn dutch(info: &str) -> String {
    if info.contains("mapping values are not allowed") {
        "hier staat een `:` waar geen sleutel kan beginnen".to_string()
    } else if info.contains("illegal placement of ':'") {
        "hier staat een `:` op een plek waar die niet kan (een waarde met een `:` erin, of een sleutel zonder eigen regel?)".to_string()
    } else if info.contains("did not find expected key") {
        "de inspringing klopt hier niet".to_string()
    } else if info.contains("found character that cannot start any token") {
        "hier staat een teken waarmee niets kan beginnen (een tab?)".to_string()
    } else if info.contains("did not find expected ',' or ']'") {
        "een lijst `[...]` wordt niet gesloten".to_string()
    } else if info.contains("did not find expected ',' or '}'") {
        "een object `{...}` wordt niet gesloten".to_string()
    } else if info.contains("unexpected end") || info.contains("while scanning a quoted scalar") {
        "een tekst tussen aanhalingstekens wordt niet gesloten".to_string()
    } else {
        format!("de lezer zegt: {info}")
    }
}

/// The byte offset of a marker (line and column from 1; columns count characters).
fn byte_offset(text: &str, m: &Marker) -> usize {
    let mut at = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == m.line() {
            let col = m.col().saturating_sub(0);
            return at
                + line
                    .char_indices()
                    .nth(col)
                    .map_or(line.trim_end_matches('\n').len(), |(b, _)| b);
        }
        at += line.len();
    }
    text.len()
}

/// One open collection while building.
enum Open {
    List(Vec<Node>),
    /// The entries so far, and a key read whose value comes next.
    Map(Vec<Entry>, Option<(String, (usize, usize))>),
}

struct Builder<'t> {
    text: &'t str,
    stack: Vec<Open>,
    done: Option<Node>,
    documents: usize,
    error: Option<JsonError>,
}

impl Builder<'_> {
    fn fail(&mut self, at: usize, message: String, help: &str) {
        if self.error.is_none() {
            self.error = Some(JsonError::new_pub(at, message).with_help(help));
        }
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
                            t.find(key.as_str())
                                .filter(|i| *i < 4)
                                .map(|i| at + i + key.len())
                        })
                        .unwrap_or(at);
                    if let Some(first) = entries.iter().find(|e| e.key == key) {
                        let line = super::json::line_col(self.text, first.at.0).0;
                        let mut e = JsonError::new_pub(
                            at,
                            format!("`{key}` staat twee keer in de casus (eerst op regel {line})"),
                        )
                        .with_help("houd één van de twee: een feit heeft één waarde");
                        e.duplicate = true;
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
        let at = byte_offset(self.text, &mark);
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
            Event::Alias(_) => self.fail(
                at,
                "een casus gebruikt geen ankers of verwijzingen (`&`, `*`)".to_string(),
                "schrijf de waarde zelf uit",
            ),
            Event::Scalar(value, style, anchor, _) => {
                if anchor != 0 {
                    self.fail(
                        at,
                        "een casus gebruikt geen ankers of verwijzingen (`&`, `*`)".to_string(),
                        "schrijf de waarde zelf uit",
                    );
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
                    self.fail(
                        at,
                        "een casus gebruikt geen ankers of verwijzingen (`&`, `*`)".to_string(),
                        "schrijf de waarde zelf uit",
                    );
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
                    Open::Map(Vec::new(), None)
                } else {
                    Open::List(Vec::new())
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Open::List(items)) => Node::List(items),
                    Some(Open::Map(entries, _)) => Node::Map(entries),
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
