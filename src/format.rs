//! `wiebetaalt fmt`: the canonical layout of a rule file.
//!
//! The formatter never changes a token: it only decides the whitespace between tokens,
//! so a formatted file has exactly the meaning of the original (a test checks that
//! too). Layout: every declaration starts at the margin, with a blank line before it
//! (consecutive `domein` and `feit` declarations stay together); every clause (`als`,
//! `dan`, `vraag`, `bron`, ...) on its own line, indented two spaces; one space between
//! tokens, none inside brackets or before `,` `:` `%`; lines longer than
//! [`WIDTH`] broken after a comma or before `en`/`of`, continued four spaces deeper.
//! Comments stay where they are: a comment on its own line keeps its own line (and a
//! blank line before it if it had one), a comment after code stays after that code.

use crate::syntax::is_keyword;

/// Lines are broken when they get longer than this.
pub const WIDTH: usize = 92;

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Word,
    Str,
    Punct,
    Comment { own_line: bool },
}

#[derive(Debug, Clone)]
struct Token<'a> {
    text: &'a str,
    kind: Kind,
    /// An empty line came before this token in the original.
    blank_before: bool,
}

const PUNCT: &[&str] = &[
    "<=", ">=", "!=", ",", ":", "(", ")", "[", "]", "=", "<", ">", "≠", "≤", "≥", "%", "+", "-",
    "*", "/",
];

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut newlines = 0usize;
    let mut line_has_code = false;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            if c == '\n' {
                newlines += 1;
                line_has_code = false;
            }
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
            continue;
        }
        let (len, kind) = if c == '#' {
            (
                rest.find('\n').unwrap_or(rest.len()),
                Kind::Comment {
                    own_line: !line_has_code,
                },
            )
        } else if c == '"' {
            let mut escaped = false;
            let mut end = rest.len();
            for (i, ch) in rest.char_indices().skip(1) {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == '"' {
                    end = i + 1;
                    break;
                }
            }
            (end, Kind::Str)
        } else if let Some(p) = PUNCT.iter().find(|p| rest.starts_with(**p)) {
            (p.len(), Kind::Punct)
        } else {
            let digits = c.is_ascii_digit();
            let end = rest
                .char_indices()
                .find(|(_, ch)| {
                    ch.is_whitespace()
                        || *ch == '"'
                        || *ch == '#'
                        || (PUNCT.iter().any(|p| p.starts_with(*ch)) && !(digits && (*ch == '-')))
                })
                .map_or(rest.len(), |(i, _)| i);
            (end.max(c.len_utf8()), Kind::Word)
        };
        let (token, after) = rest.split_at(len.min(rest.len()));
        if !matches!(kind, Kind::Comment { .. }) {
            line_has_code = true;
        }
        out.push(Token {
            text: token,
            kind,
            blank_before: newlines >= 2,
        });
        newlines = 0;
        rest = after;
    }
    out
}

/// Keywords that start a declaration.
fn starts_declaration(prev: Option<&str>, word: &str) -> bool {
    match word {
        "regelset" | "domein" | "feit" | "begrip" | "voorbeeld" | "vervang" | "schrap"
        | "anders" => !matches!(prev, Some("vervang") | Some("schrap")),
        "regel" => !matches!(prev, Some("vervang") | Some("schrap")),
        "bij" => true,
        _ => false,
    }
}

/// Keywords that start a clause of a declaration.
fn starts_clause(word: &str) -> bool {
    matches!(
        word,
        "versie"
            | "geldig"
            | "bron"
            | "gebaseerd"
            | "vraag"
            | "toelichting"
            | "eenheid"
            | "uitzondering"
            | "als"
            | "dan"
            | "gegeven"
            | "peildatum"
            | "verwacht"
    )
}

/// Whether a token ends a value (so that a `-` after it is a binary minus).
fn ends_value(t: &Token<'_>) -> bool {
    match t.kind {
        Kind::Str => true,
        Kind::Word => !is_keyword(t.text) || matches!(t.text, "ja" | "nee"),
        Kind::Punct => matches!(t.text, ")" | "]" | "%"),
        Kind::Comment { .. } => false,
    }
}

/// One logical line under construction: its indent and its pieces with the break
/// points between them.
struct Line {
    indent: usize,
    text: String,
    /// Byte offsets in `text` where the line may be broken, with whether the space there
    /// is dropped (a break before `en` keeps the word on the next line).
    breaks: Vec<usize>,
}

/// The canonical form of a rule text. The text must parse; the formatter does not
/// check that (`fmt` refuses files with syntax errors before it gets here).
pub fn format(text: &str) -> String {
    let toks = tokens(text);
    let mut out = String::new();
    let mut line: Option<Line> = None;
    // The kind of the last declaration, and whether the last thing emitted was a
    // comment on its own line.
    let mut last_decl: Option<&str> = None;
    let mut after_comment = false;
    let mut prev: Option<&Token<'_>> = None;
    let mut glue_next = false;
    let mut continuation = false;
    // Brackets open at this point; lines are broken inside them only in the value list
    // of a `keuze(...)` or `lijst(...)` type (true on the stack).
    let mut brackets: Vec<bool> = Vec::new();

    for (i, t) in toks.iter().enumerate() {
        let prev_word = prev.filter(|p| p.kind == Kind::Word).map(|p| p.text);
        match &t.kind {
            Kind::Comment { own_line: true } => {
                // Indented like the code it stands above.
                let next = toks
                    .iter()
                    .skip(i + 1)
                    .find(|n| !matches!(n.kind, Kind::Comment { .. }));
                let indent = match next {
                    Some(n) if n.kind == Kind::Word && starts_declaration(prev_word, n.text) => 0,
                    None => 0,
                    Some(_) => 2,
                };
                flush(&mut out, &mut line);
                if t.blank_before && !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&" ".repeat(indent));
                out.push_str(t.text.trim_end());
                out.push('\n');
                after_comment = true;
                continuation = false;
                prev = Some(t);
                continue;
            }
            Kind::Comment { own_line: false } => {
                if let Some(l) = line.as_mut() {
                    l.text.push_str("  ");
                    l.text.push_str(t.text.trim_end());
                }
                flush(&mut out, &mut line);
                // What follows continues the same clause on a new line.
                continuation = true;
                prev = Some(t);
                continue;
            }
            _ => {}
        }
        let word = (t.kind == Kind::Word).then_some(t.text);
        let decl = word.is_some_and(|w| starts_declaration(prev_word, w));
        // `minder dan`, `meer dan`: a comparison, not the `dan` of a rule.
        let clause = !decl
            && word.is_some_and(starts_clause)
            && !(t.text == "dan" && matches!(prev_word, Some("minder" | "meer")));
        if decl {
            flush(&mut out, &mut line);
            let kind = t.text;
            let together = matches!(
                (last_decl, kind),
                (Some("domein"), "domein") | (Some("feit"), "feit") | (Some("anders"), "bij")
            );
            let blank = if after_comment {
                t.blank_before
            } else {
                !together && !out.is_empty()
            };
            if blank && !out.ends_with("\n\n") && !out.is_empty() {
                out.push('\n');
            }
            last_decl = Some(kind);
            line = Some(Line {
                indent: 0,
                text: String::new(),
                breaks: Vec::new(),
            });
            continuation = false;
        } else if clause {
            flush(&mut out, &mut line);
            line = Some(Line {
                indent: 2,
                text: String::new(),
                breaks: Vec::new(),
            });
            continuation = false;
        } else if line.is_none() {
            let indent = if continuation { 6 } else { 2 };
            line = Some(Line {
                indent,
                text: String::new(),
                breaks: Vec::new(),
            });
        }
        after_comment = false;
        let Some(l) = line.as_mut() else { continue };
        // The space before this token.
        let no_space = l.text.is_empty()
            || glue_next
            || matches!(t.text, "," | ")" | "]" | ":" | "%") && t.kind == Kind::Punct
            || (t.text == "(" && matches!(prev_word, Some("keuze" | "lijst")))
            || (t.text == "/" && prev.is_some_and(|p| p.text == "ja"))
            || (t.text == "nee" && prev.is_some_and(|p| p.text == "/"));
        if !no_space {
            if matches!(t.text, "en" | "of") && t.kind == Kind::Word && brackets.is_empty() {
                l.breaks.push(l.text.len());
            }
            l.text.push(' ');
        }
        l.text.push_str(t.text);
        if t.kind == Kind::Punct {
            match t.text {
                "(" => brackets.push(matches!(prev_word, Some("keuze" | "lijst"))),
                "[" => brackets.push(false),
                ")" | "]" => {
                    brackets.pop();
                }
                "," if brackets.last().copied().unwrap_or(true) => l.breaks.push(l.text.len()),
                _ => {}
            }
        }
        glue_next = t.kind == Kind::Punct
            && (matches!(t.text, "(" | "[")
                || (t.text == "-" && !prev.is_some_and(ends_value))
                || (t.text == "/" && prev.is_some_and(|p| p.text == "ja")));
        prev = toks.get(i);
    }
    flush(&mut out, &mut line);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Writes a line, broken where it is too long.
fn flush(out: &mut String, line: &mut Option<Line>) {
    let Some(l) = line.take() else { return };
    if l.text.is_empty() {
        return;
    }
    let mut start = 0;
    let mut indent = l.indent;
    loop {
        let rest = l.text.get(start..).unwrap_or_default();
        let fits = indent + rest.chars().count() <= WIDTH || rest.contains('"');
        let cut = if fits {
            None
        } else {
            l.breaks
                .iter()
                .copied()
                .filter(|b| *b > start && indent + (b - start) <= WIDTH)
                .max()
                .or_else(|| l.breaks.iter().copied().find(|b| *b > start))
        };
        match cut {
            Some(b) if b < l.text.len() => {
                out.push_str(&" ".repeat(indent));
                out.push_str(l.text.get(start..b).unwrap_or_default().trim_end());
                out.push('\n');
                start = b;
                while l.text.get(start..start + 1) == Some(" ") {
                    start += 1;
                }
                indent = l.indent + 4;
            }
            _ => {
                out.push_str(&" ".repeat(indent));
                out.push_str(rest);
                out.push('\n');
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_of_a_small_file() {
        let text = "regelset \"X\" domein a domein b feit p : ja / nee vraag \"P?\"\n\
                    # de regel\nregel r als p en(p of niet p) dan a # klopt\nanders b bij conflict b";
        assert_eq!(
            format(text),
            "regelset \"X\"\n\ndomein a\ndomein b\n\nfeit p: ja/nee\n  vraag \"P?\"\n# de regel\nregel r\n  als p en (p of niet p)\n  dan a  # klopt\n\nanders b\nbij conflict b\n"
        );
    }

    #[test]
    fn unary_minus_and_percent_stay_glued() {
        let f = format(
            "regelset \"X\" domein a feit x: getal tussen -5 en 5 regel r als x * 50% > - 1 dan a",
        );
        assert!(f.contains("tussen -5 en 5"), "{f}");
        assert!(f.contains("x * 50% > -1"), "{f}");
    }
}
