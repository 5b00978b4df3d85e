//! The lexical syntax of `.regels` files, in one place: words, strings with their
//! escapes, punctuation and `#` comments. The parser (pest) reads the same syntax from
//! the grammar; this scanner serves everything that needs the tokens without parsing:
//! the formatter, the text of a condition as a trace shows it, and the hint about a
//! string that is never closed.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A name, a keyword or a number.
    Word,
    /// A string with its quotes; `closed` is false when the text ends inside it.
    Str { closed: bool },
    /// An operator or a bracket.
    Punct,
    /// A comment, up to the end of the line; `own_line` when no code stands before it on
    /// its line.
    Comment { own_line: bool },
}

/// One token, with where it starts and whether an empty line came before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub text: &'a str,
    pub kind: TokenKind,
    /// Byte offset in the scanned text.
    pub start: usize,
    /// An empty line came before this token.
    pub blank_before: bool,
}

/// Operators and brackets, longest first.
const PUNCT: &[&str] = &[
    "<=", ">=", "!=", ",", ":", "(", ")", "[", "]", "=", "<", ">", "≠", "≤", "≥", "%", "+", "-",
    "*", "/",
];

/// The tokens of a text, white space left out.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut newlines = 0usize;
    let mut line_has_code = false;
    while let Some(c) = text.get(at..).and_then(|r| r.chars().next()) {
        let rest = text.get(at..).unwrap_or_default();
        if c.is_whitespace() {
            if c == '\n' {
                newlines += 1;
                line_has_code = false;
            }
            at += c.len_utf8();
            continue;
        }
        let (len, kind) = if c == '#' {
            (
                rest.find('\n').unwrap_or(rest.len()),
                TokenKind::Comment {
                    own_line: !line_has_code,
                },
            )
        } else if c == '"' {
            string_len(rest)
        } else if let Some(p) = PUNCT.iter().find(|p| rest.starts_with(**p)) {
            (p.len(), TokenKind::Punct)
        } else {
            (word_len(rest, c), TokenKind::Word)
        };
        let len = len.min(rest.len()).max(c.len_utf8());
        if !matches!(kind, TokenKind::Comment { .. }) {
            line_has_code = true;
        }
        out.push(Token {
            text: rest.get(..len).unwrap_or_default(),
            kind,
            start: at,
            blank_before: newlines >= 2,
        });
        newlines = 0;
        at += len;
    }
    out
}

/// The length of the string that starts `rest` (at its `"`), and whether it is closed:
/// `\"` and `\\` are escapes.
fn string_len(rest: &str) -> (usize, TokenKind) {
    let mut escaped = false;
    for (i, ch) in rest.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == '"' {
            return (i + 1, TokenKind::Str { closed: true });
        }
    }
    (rest.len(), TokenKind::Str { closed: false })
}

/// The length of the word that starts `rest` with `first`: up to white space, a quote, a
/// comment or punctuation (a `-` inside a number such as a date stays in the word).
fn word_len(rest: &str, first: char) -> usize {
    let digits = first.is_ascii_digit();
    rest.char_indices()
        .find(|(_, ch)| {
            ch.is_whitespace()
                || *ch == '"'
                || *ch == '#'
                || (PUNCT.iter().any(|p| p.starts_with(*ch)) && !(digits && *ch == '-'))
        })
        .map_or(rest.len(), |(i, _)| i)
}

/// Code without its comments, with every run of white space (or comment) between two
/// tokens folded into one space: how a condition is shown in a trace.
pub fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut end_of_last: Option<usize> = None;
    for t in tokens(text) {
        if matches!(t.kind, TokenKind::Comment { .. }) {
            continue;
        }
        if let Some(end) = end_of_last {
            if end < t.start {
                out.push(' ');
            }
        }
        out.push_str(t.text);
        end_of_last = Some(t.start + t.text.len());
    }
    out
}

/// Whether the text ends inside a string that was never closed.
pub fn ends_in_open_string(text: &str) -> bool {
    tokens(text)
        .last()
        .is_some_and(|t| t.kind == TokenKind::Str { closed: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_folds_white_space_and_drops_comments_outside_strings() {
        let text = "doel is  leren # commentaar\n  en naam is \"a # b \\\" c\"";
        assert_eq!(code(text), "doel is leren en naam is \"a # b \\\" c\"");
        assert_eq!(code("a<5"), "a<5");
        assert_eq!(code("a < 5"), "a < 5");
    }

    #[test]
    fn strings_know_whether_they_are_closed() {
        assert!(ends_in_open_string("vraag \"Hoe oud"));
        assert!(!ends_in_open_string("vraag \"Hoe oud\""));
        assert!(!ends_in_open_string("vraag \"een \\\" aanhalingsteken\""));
        assert!(ends_in_open_string("vraag \"een \\\""));
    }

    #[test]
    fn comments_know_their_line() {
        let t = tokens("regel a # na code\n# eigen regel\n");
        assert_eq!(t[2].kind, TokenKind::Comment { own_line: false });
        assert_eq!(t[3].kind, TokenKind::Comment { own_line: true });
    }
}
