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

use crate::syntax::lexer::{tokens, Token, TokenKind as Kind};

/// Keywords that start a declaration (`prev` is the token before).
fn starts_declaration(prev: Option<&str>, word: &str) -> bool {
    match word {
        "regelset" | "domein" | "feit" | "begrip" | "voorbeeld" | "vervang" | "schrap"
        | "anders" | "beslissing" => !matches!(prev, Some("vervang") | Some("schrap")),
        // `regel NAAM geldt` inside a condition is no declaration.
        "regel" => !matches!(
            prev,
            Some("vervang" | "schrap" | "als" | "en" | "of" | "niet" | "(")
        ),
        "bij" => true,
        _ => false,
    }
}

/// Keywords that start a clause of a declaration (`prev` is the token before).
fn starts_clause(prev: Option<&str>, word: &str) -> bool {
    match word {
        "versie" | "geldig" | "bron" | "gebaseerd" | "vraag" | "toelichting" | "eenheid"
        | "uitzondering" | "als" | "dan" | "gegeven" | "peildatum" | "verwacht" | "waarde"
        | "vervolg" | "voor" => true,
        // `uitzondering op groep g` names a group; `groep g` after a rule is a clause.
        "groep" => !matches!(prev, Some("op" | ",")),
        _ => false,
    }
}

/// Whether a token ends a value (so that a `-` after it is a binary minus).
fn ends_value(t: &Token<'_>) -> bool {
    match t.kind {
        Kind::Str { .. } => true,
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

impl Line {
    fn new(indent: usize) -> Line {
        Line {
            indent,
            text: String::new(),
            breaks: Vec::new(),
        }
    }
}

/// The canonical form of a rule text. The text must parse; the formatter does not
/// check that (`fmt` refuses files with syntax errors before it gets here).
pub fn format(text: &str) -> String {
    let toks = tokens(text);
    let mut f = Formatter::default();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::Comment { own_line: true } => {
                let next = toks
                    .iter()
                    .skip(i + 1)
                    .find(|n| !matches!(n.kind, Kind::Comment { .. }));
                f.comment_on_its_own_line(t, next);
            }
            Kind::Comment { own_line: false } => f.comment_after_code(t),
            _ => f.code(t),
        }
        f.prev = Some(t.clone());
    }
    flush(&mut f.out, &mut f.line);
    while f.out.ends_with("\n\n") {
        f.out.pop();
    }
    f.out
}

/// The state of the formatter between tokens.
#[derive(Default)]
struct Formatter<'a> {
    out: String,
    line: Option<Line>,
    /// The kind of the last declaration.
    last_decl: Option<&'a str>,
    /// Whether the last thing emitted was a comment on its own line.
    after_comment: bool,
    prev: Option<Token<'a>>,
    /// No space before the next token (after `(`, `[`, a unary `-`, `ja/`).
    glue_next: bool,
    /// The next line continues the clause before a comment.
    continuation: bool,
    /// Brackets open at this point; lines are broken inside them only in the value list
    /// of a `keuze(...)` or `lijst(...)` type (true on the stack).
    brackets: Vec<bool>,
}

impl<'a> Formatter<'a> {
    fn prev_word(&self) -> Option<&'a str> {
        self.prev
            .as_ref()
            .filter(|p| p.kind == Kind::Word)
            .map(|p| p.text)
    }

    /// The token before, whatever it is (a word or punctuation).
    fn prev_token(&self) -> Option<&'a str> {
        self.prev
            .as_ref()
            .filter(|p| !matches!(p.kind, Kind::Comment { .. }))
            .map(|p| p.text)
    }

    /// A comment on its own line keeps it, indented like the code it stands above.
    fn comment_on_its_own_line(&mut self, t: &Token<'a>, next: Option<&Token<'a>>) {
        let indent = match next {
            Some(n) if n.kind == Kind::Word && starts_declaration(self.prev_token(), n.text) => 0,
            None => 0,
            Some(_) => 2,
        };
        flush(&mut self.out, &mut self.line);
        if t.blank_before && !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(t.text.trim_end());
        self.out.push('\n');
        self.after_comment = true;
        self.continuation = false;
    }

    /// A comment after code stays after that code; what follows continues the same
    /// clause on a new line.
    fn comment_after_code(&mut self, t: &Token<'a>) {
        if let Some(l) = self.line.as_mut() {
            l.text.push_str("  ");
            l.text.push_str(t.text.trim_end());
        }
        flush(&mut self.out, &mut self.line);
        self.continuation = true;
    }

    /// A token of code: it may start a declaration or a clause, or continue a line.
    fn code(&mut self, t: &Token<'a>) {
        let prev_word = self.prev_word();
        let prev_token = self.prev_token();
        let word = (t.kind == Kind::Word).then_some(t.text);
        let decl = word.is_some_and(|w| starts_declaration(prev_token, w));
        // `minder dan`, `meer dan`: a comparison, not the `dan` of a rule.
        let clause = !decl
            && word.is_some_and(|w| starts_clause(prev_token, w))
            && !(t.text == "dan" && matches!(prev_word, Some("minder" | "meer")));
        if decl {
            self.start_declaration(t);
        } else if clause {
            // The `vervolg` of a decision's value stands under that `waarde`.
            let under_value = t.text == "vervolg" && self.last_decl == Some("beslissing");
            self.start_line(if under_value { 4 } else { 2 });
        } else if self.line.is_none() {
            let indent = if self.continuation { 6 } else { 2 };
            self.line = Some(Line::new(indent));
        }
        self.after_comment = false;
        self.push(t, prev_word);
    }

    /// A declaration starts at the margin, after a blank line unless it belongs with the
    /// one before (`domein`s, `feit`s, `anders` and `bij conflict`).
    fn start_declaration(&mut self, t: &Token<'a>) {
        flush(&mut self.out, &mut self.line);
        let kind = t.text;
        let together = matches!(
            (self.last_decl, kind),
            (Some("domein"), "domein") | (Some("feit"), "feit") | (Some("anders"), "bij")
        );
        let blank = if self.after_comment {
            t.blank_before
        } else {
            !together && !self.out.is_empty()
        };
        if blank && !self.out.ends_with("\n\n") && !self.out.is_empty() {
            self.out.push('\n');
        }
        self.last_decl = Some(kind);
        self.start_line(0);
    }

    fn start_line(&mut self, indent: usize) {
        flush(&mut self.out, &mut self.line);
        self.line = Some(Line::new(indent));
        self.continuation = false;
    }

    /// Adds a token to the current line, with the space before it (or not) and the
    /// places where the line may be broken.
    fn push(&mut self, t: &Token<'a>, prev_word: Option<&str>) {
        let prev = self.prev.as_ref();
        let Some(l) = self.line.as_mut() else { return };
        let no_space = l.text.is_empty()
            || self.glue_next
            || matches!(t.text, "," | ")" | "]" | ":" | "%") && t.kind == Kind::Punct
            || (t.text == "(" && matches!(prev_word, Some("keuze" | "lijst")))
            || (t.text == "/" && prev.is_some_and(|p| p.text == "ja"))
            || (t.text == "nee" && prev.is_some_and(|p| p.text == "/"));
        if !no_space {
            if matches!(t.text, "en" | "of") && t.kind == Kind::Word && self.brackets.is_empty() {
                l.breaks.push(l.text.len());
            }
            l.text.push(' ');
        }
        l.text.push_str(t.text);
        if t.kind == Kind::Punct {
            match t.text {
                "(" => self
                    .brackets
                    .push(matches!(prev_word, Some("keuze" | "lijst"))),
                "[" => self.brackets.push(false),
                ")" | "]" => {
                    self.brackets.pop();
                }
                "," if self.brackets.last().copied().unwrap_or(true) => l.breaks.push(l.text.len()),
                _ => {}
            }
        }
        self.glue_next = t.kind == Kind::Punct
            && (matches!(t.text, "(" | "[")
                || (t.text == "-" && !prev.is_some_and(ends_value))
                || (t.text == "/" && prev.is_some_and(|p| p.text == "ja")));
    }
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
        let fits = indent + rest.chars().count() <= WIDTH;
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

    /// A line with a text value is broken at its commas like any other; a string
    /// itself is never broken.
    #[test]
    fn long_lines_with_strings_break_between_values() {
        let long = "x".repeat(100);
        let f = format(&format!(
            "regelset \"X\" domein a feit g: keuze(a \"gemeente A met een lange naam\", b \"gemeente B met een lange naam\", c \"gemeente C met een lange naam\") \
             feit t: tekst regel r als g is a dan a toelichting \"{long}\" \
             voorbeeld \"V\" gegeven g = a, t = \"een tekst die lang genoeg is om de regel te breken\", g = b"
        ));
        assert!(
            f.lines()
                .all(|l| l.chars().count() <= WIDTH || l.contains(&long)),
            "{f}"
        );
        assert!(f.contains(&format!("  toelichting \"{long}\"\n")), "{f}");
        assert!(f.contains("keuze(a \"gemeente A met een lange naam\", b \"gemeente B met een lange naam\",\n    c \"gemeente C"), "{f}");
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
