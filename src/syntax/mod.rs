//! Syntax: text of one `.regels` file → [`ast::File`].
//!
//! The only module that knows pest. It parses with the grammar in
//! `grammar/regels.pest`, converts pest's errors into Dutch [`Problem`]s with a span
//! and a readable list of what was expected, and lowers the parse tree into the AST
//! (`lower.rs`). It never resolves names or types, and never reads files.

mod hints;
pub mod lexer;
mod lower;

use pest::Parser as _;

use crate::ast;
use crate::diagnostic::{Code, Errors, Problem};
use crate::source::{FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/regels.pest"]
struct RegelsParser;

/// Parses one file. All problems of the file are returned at once.
pub fn parse(file: FileId, text: &str) -> Result<ast::File, Errors> {
    let mut pairs = RegelsParser::parse(Rule::file, text)
        .map_err(|e| Errors::from(syntax_error(&e, file, text)))?;
    let root = pairs.next().ok_or_else(|| {
        Errors::from(Problem::error(
            Code::Syntax,
            Span::new(file, 0, 0),
            "leeg bestand",
        ))
    })?;
    lower::file(root, file)
}

/// What a grammar rule is, for people: every rule has a human name, so that no error
/// can ever say "expected rule_17".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// A keyword, shown in backticks.
    Keyword(&'static str),
    /// Anything else, described in words.
    Thing(&'static str),
    /// A rule that never shows up in an error on its own.
    Internal,
}

fn describe(r: Rule) -> Expected {
    use Expected::{Internal, Keyword, Thing};
    match r {
        Rule::EOI => Thing("het einde van het bestand"),
        Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::file
        | Rule::keyword
        | Rule::string_inner
        | Rule::header_clause
        | Rule::declaration
        | Rule::fact_clause
        | Rule::fact_type
        | Rule::rule_clause
        | Rule::prefix
        | Rule::postfix
        | Rule::infix
        | Rule::primary
        | Rule::literal
        | Rule::decision_clause
        | Rule::exception_target
        | Rule::expected
        | Rule::ident_char => Internal,
        Rule::header => Keyword("regelset"),
        Rule::version => Keyword("versie"),
        Rule::period => Keyword("geldig"),
        Rule::valid_from => Keyword("vanaf"),
        Rule::valid_until => Keyword("tot"),
        Rule::source => Keyword("bron"),
        Rule::based_on => Keyword("gebaseerd op"),
        Rule::decision => Keyword("beslissing"),
        Rule::decision_for => Keyword("voor"),
        Rule::decision_value => Keyword("waarde"),
        Rule::domain => Keyword("domein"),
        Rule::label => Thing("een label tussen aanhalingstekens"),
        Rule::payer => Keyword("betaler"),
        Rule::next_step => Keyword("vervolg"),
        Rule::fact => Keyword("feit"),
        Rule::question => Keyword("vraag"),
        Rule::explanation => Keyword("toelichting"),
        Rule::unit => Keyword("eenheid"),
        Rule::type_bool
        | Rule::type_number
        | Rule::type_text
        | Rule::type_choice
        | Rule::type_list => {
            Thing("een soort (`ja/nee`, `getal`, `tekst`, `keuze(...)` of `lijst(...)`)")
        }
        Rule::bounds => Keyword("tussen"),
        Rule::value_names => Thing("een lijst van waarden"),
        Rule::value_name => {
            Thing("een waarde (een naam, eventueel met een label tussen aanhalingstekens)")
        }
        Rule::concept => Keyword("begrip"),
        Rule::rule => Keyword("regel"),
        Rule::title => Thing("een titel tussen aanhalingstekens"),
        Rule::exception_of => Keyword("uitzondering op"),
        Rule::exception_group => Keyword("groep"),
        Rule::exception_outcome => Keyword("regels met"),
        Rule::group => Keyword("groep"),
        Rule::fallback => Keyword("anders"),
        Rule::conflict => Keyword("bij conflict"),
        Rule::outcome => Thing("een uitkomst (een domein of `verdeel`)"),
        Rule::split => Keyword("verdeel"),
        Rule::share => Thing("een domein met een percentage"),
        Rule::example => Keyword("voorbeeld"),
        Rule::assignment => Thing("`feit = waarde`"),
        Rule::reference_date => Keyword("peildatum"),
        Rule::expectation => Thing("een verwachte uitkomst of `onvolledig`"),
        Rule::incomplete => Keyword("onvolledig"),
        Rule::decision_incomplete => Thing("een beslissing met `onvolledig`"),
        Rule::decision_not_needed => Thing("een beslissing met `niet nodig`"),
        Rule::word_nodig => Keyword("nodig"),
        Rule::decided_by => Keyword("door"),
        Rule::replace => Keyword("vervang"),
        Rule::remove => Keyword("schrap"),
        Rule::example_change => Keyword("voorbeeld"),
        Rule::rule_applies => Thing("`regel NAAM geldt`"),
        Rule::expr | Rule::paren => Thing("een voorwaarde of waarde"),
        Rule::op_not => Keyword("niet"),
        Rule::op_neg => Thing("een getal"),
        Rule::op_in
        | Rule::op_not_in
        | Rule::op_or
        | Rule::op_and
        | Rule::op_is_not
        | Rule::op_is
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_eq
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_less
        | Rule::op_at_most
        | Rule::op_more
        | Rule::op_at_least
        | Rule::op_contains_not
        | Rule::op_contains
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div => Thing(OPERATOR),
        Rule::value_list | Rule::list_literal => Thing("een lijst `[...]`"),
        Rule::boolean => Thing("`ja` of `nee`"),
        Rule::number | Rule::signed_number => Thing("een getal"),
        Rule::percent | Rule::signed_percent => Thing("een percentage (zoals `50%`)"),
        Rule::date => Thing("een datum (JJJJ-MM-DD)"),
        Rule::string => Thing("een tekst tussen aanhalingstekens"),
        Rule::name => Thing("een naam"),
        Rule::kw_regelset => Keyword("regelset"),
        Rule::kw_versie => Keyword("versie"),
        Rule::kw_geldig => Keyword("geldig"),
        Rule::kw_vanaf => Keyword("vanaf"),
        Rule::kw_tot => Keyword("tot"),
        Rule::kw_bron => Keyword("bron"),
        Rule::kw_gebaseerd => Keyword("gebaseerd"),
        Rule::kw_op => Keyword("op"),
        Rule::kw_domein => Keyword("domein"),
        Rule::kw_betaler => Keyword("betaler"),
        Rule::kw_feit => Keyword("feit"),
        Rule::kw_vraag => Keyword("vraag"),
        Rule::kw_toelichting => Keyword("toelichting"),
        Rule::kw_eenheid => Keyword("eenheid"),
        Rule::kw_ja => Keyword("ja"),
        Rule::kw_nee => Keyword("nee"),
        Rule::kw_getal => Keyword("getal"),
        Rule::kw_tussen => Keyword("tussen"),
        Rule::kw_tekst => Keyword("tekst"),
        Rule::kw_keuze => Keyword("keuze"),
        Rule::kw_lijst => Keyword("lijst"),
        Rule::kw_begrip => Keyword("begrip"),
        Rule::kw_regel => Keyword("regel"),
        Rule::kw_uitzondering => Keyword("uitzondering"),
        Rule::kw_als => Keyword("als"),
        Rule::kw_dan => Keyword("dan"),
        Rule::kw_anders => Keyword("anders"),
        Rule::kw_bij => Keyword("bij"),
        Rule::kw_conflict => Keyword("conflict"),
        Rule::kw_verdeel => Keyword("verdeel"),
        Rule::kw_voorbeeld => Keyword("voorbeeld"),
        Rule::kw_gegeven => Keyword("gegeven"),
        Rule::kw_peildatum => Keyword("peildatum"),
        Rule::kw_verwacht => Keyword("verwacht"),
        Rule::kw_onvolledig => Keyword("onvolledig"),
        Rule::kw_door => Keyword("door"),
        Rule::kw_vervang => Keyword("vervang"),
        Rule::kw_schrap => Keyword("schrap"),
        Rule::kw_of => Keyword("of"),
        Rule::kw_en => Keyword("en"),
        Rule::kw_niet => Keyword("niet"),
        Rule::kw_is => Keyword("is"),
        Rule::kw_in => Keyword("in"),
        Rule::kw_bevat => Keyword("bevat"),
        Rule::kw_minder => Keyword("minder dan"),
        Rule::kw_meer => Keyword("meer dan"),
        Rule::kw_ten => Keyword("ten"),
        Rule::kw_hoogste => Keyword("hoogste"),
        Rule::kw_minste => Keyword("minste"),
        Rule::kw_beslissing => Keyword("beslissing"),
        Rule::kw_voor => Keyword("voor"),
        Rule::kw_waarde => Keyword("waarde"),
        Rule::kw_vervolg => Keyword("vervolg"),
        Rule::kw_groep => Keyword("groep"),
        Rule::kw_regels => Keyword("regels"),
        Rule::kw_met => Keyword("met"),
        Rule::kw_geldt => Keyword("geldt"),
    }
}

/// How every operator is described in an error.
const OPERATOR: &str = "een bewerking (zoals `en`, `of`, `is`, `<`, `+`)";

/// Keywords that open a top-level declaration; an error that lists them all says
/// "een nieuwe declaratie" instead.
const DECLARATION_KEYWORDS: &[&str] = &[
    "beslissing",
    "domein",
    "feit",
    "begrip",
    "regel",
    "anders",
    "bij conflict",
    "voorbeeld",
    "vervang",
    "schrap",
];

/// The keyword tokens (`kw_*`): punctuation of the tree, skipped by lowering.
fn is_token(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_regelset
            | Rule::kw_versie
            | Rule::kw_geldig
            | Rule::kw_vanaf
            | Rule::kw_tot
            | Rule::kw_bron
            | Rule::kw_gebaseerd
            | Rule::kw_op
            | Rule::kw_domein
            | Rule::kw_betaler
            | Rule::kw_feit
            | Rule::kw_vraag
            | Rule::kw_toelichting
            | Rule::kw_eenheid
            | Rule::kw_ja
            | Rule::kw_nee
            | Rule::kw_getal
            | Rule::kw_tussen
            | Rule::kw_tekst
            | Rule::kw_keuze
            | Rule::kw_lijst
            | Rule::kw_begrip
            | Rule::kw_regel
            | Rule::kw_uitzondering
            | Rule::kw_als
            | Rule::kw_dan
            | Rule::kw_anders
            | Rule::kw_bij
            | Rule::kw_conflict
            | Rule::kw_verdeel
            | Rule::kw_voorbeeld
            | Rule::kw_gegeven
            | Rule::kw_peildatum
            | Rule::kw_verwacht
            | Rule::kw_onvolledig
            | Rule::kw_door
            | Rule::kw_vervang
            | Rule::kw_schrap
            | Rule::kw_of
            | Rule::kw_en
            | Rule::kw_niet
            | Rule::kw_is
            | Rule::kw_in
            | Rule::kw_bevat
            | Rule::kw_minder
            | Rule::kw_meer
            | Rule::kw_ten
            | Rule::kw_hoogste
            | Rule::kw_minste
            | Rule::kw_beslissing
            | Rule::kw_voor
            | Rule::kw_waarde
            | Rule::kw_vervolg
            | Rule::kw_groep
            | Rule::kw_regels
            | Rule::kw_met
            | Rule::kw_geldt
    )
}

/// All words the language reserves.
pub fn is_keyword(word: &str) -> bool {
    RegelsParser::parse(Rule::keyword, word).is_ok_and(|p| p.as_str() == word)
}

/// Words that are part of an operator; listed once as "een bewerking" when an operator
/// is expected.
const OPERATOR_WORDS: &[&str] = &[
    "of",
    "en",
    "niet",
    "is",
    "in",
    "bevat",
    "minder dan",
    "meer dan",
    "ten",
    "hoogste",
    "minste",
];

fn expected_list(rules: &[Rule]) -> String {
    let mut items: Vec<String> = Vec::new();
    let mut declaration = false;
    let operator = rules.iter().any(|r| is_operator(*r));
    for r in rules {
        let text = match describe(*r) {
            Expected::Keyword(k) if DECLARATION_KEYWORDS.contains(&k) => {
                declaration = true;
                continue;
            }
            Expected::Keyword(k) if operator && OPERATOR_WORDS.contains(&k) => continue,
            Expected::Keyword(k) => format!("`{k}`"),
            Expected::Thing(t) => t.to_string(),
            Expected::Internal => continue,
        };
        if !items.contains(&text) {
            items.push(text);
        }
    }
    if declaration {
        items.push("een nieuwe declaratie (`regel`, `feit`, `begrip`, `anders`, …)".to_string());
    }
    match items.as_slice() {
        [] => "iets anders".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} of {last}", init.join(", ")),
    }
}

fn is_operator(r: Rule) -> bool {
    describe(r) == Expected::Thing(OPERATOR)
}

/// The keywords among the expected rules, as written.
fn expected_keywords(rules: &[Rule]) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = rules
        .iter()
        .filter_map(|r| match describe(*r) {
            Expected::Keyword(k) => Some(k),
            _ => None,
        })
        .collect();
    let declaration = words.iter().any(|k| DECLARATION_KEYWORDS.contains(k));
    if declaration {
        words.extend(DECLARATION_KEYWORDS);
        words.push("voorbeeld");
    }
    words
}

/// The word (or single character) at a byte offset, for underlining.
fn token_at(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or_default();
    let word_len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    let len = if word_len > 0 {
        word_len
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    };
    rest.get(..len).unwrap_or_default()
}

fn syntax_error(err: &pest::error::Error<Rule>, file: FileId, text: &str) -> Problem {
    let at = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let found = token_at(text, at);
    let span = Span::new(file, at, at + found.len());
    let (positives, negatives) = match &err.variant {
        pest::error::ErrorVariant::ParsingError {
            positives,
            negatives,
        } => (positives.as_slice(), negatives.as_slice()),
        // pest's only custom errors are its resource limits ("stack limit reached").
        pest::error::ErrorVariant::CustomError { .. } => {
            return Problem::error(Code::TooDeep, span, "de tekst is te diep genest om te lezen")
                .label("hier is de nesting te diep")
                .help("gebruik minder haakjes in elkaar; geef delen van de voorwaarde een naam met `begrip`");
        }
    };
    let expected = expected_list(positives);
    let message = if found.is_empty() {
        "onverwacht einde van het bestand".to_string()
    } else if found.trim().is_empty() {
        "onverwachte witruimte".to_string()
    } else {
        format!("onverwacht `{found}`")
    };
    let label = if positives.is_empty() && !negatives.is_empty() {
        format!("hier hoort geen {}", expected_list(negatives))
    } else {
        format!("hier verwacht ik {expected}")
    };
    let mut problem = Problem::error(Code::Syntax, span, message).label(label);
    if positives.contains(&Rule::name) && is_keyword(found) {
        problem.code = Code::ReservedWord;
        problem.message = format!("`{found}` is een gereserveerd woord en kan geen naam zijn");
        problem.help = Some(format!(
            "kies een andere naam, bijvoorbeeld `{found}_waarde`"
        ));
    } else if found == "\"" && positives.contains(&Rule::string) {
        problem.message = "deze tekst wordt niet afgesloten".to_string();
        problem.label = "hier begint een tekst zonder afsluitend `\"`".to_string();
        problem.help = Some(
            "zet een `\"` aan het einde van de tekst; schrijf `\\\"` voor een aanhalingsteken in de tekst"
                .to_string(),
        );
    } else {
        problem.help = help(found, positives, text, at);
    }
    if let Some(h) = hints::hyphen_in_name(text, at).or_else(|| hints::for_error(found, text, at)) {
        problem.message = h.message;
        problem.help = Some(h.help);
        if let Some((start, end)) = h.at {
            problem.span = Some(Span::new(file, start, end));
            problem.label = "hier".to_string();
        }
    }
    problem
}

/// A fix for a syntax error, where one is known.
fn help(found: &str, positives: &[Rule], text: &str, at: usize) -> Option<String> {
    let after_digit = text
        .get(..at)
        .is_some_and(|b| b.ends_with(|c: char| c.is_ascii_digit()));
    let is_word = found.chars().next().is_some_and(char::is_alphabetic);
    let is_number = !found.is_empty() && found.chars().all(|c| c.is_ascii_digit());
    if found == "," && after_digit {
        Some("schrijf decimalen met een punt, bijvoorbeeld `12.5`".to_string())
    } else if found == "%" || (is_number && positives.contains(&Rule::percent)) {
        Some(
            "een percentage schrijft u met het procentteken direct achter het getal: `50%`"
                .to_string(),
        )
    } else if is_word && positives.contains(&Rule::kw_dan) && !is_keyword(found) {
        Some(format!("vergat u `dan`? schrijf `dan {found}`"))
    } else if is_word {
        crate::diagnostic::did_you_mean(found, expected_keywords(positives))
    } else {
        unclosed_string_help(text, at)
    }
}

/// When the error is at the end of the file and a string was opened and never closed.
fn unclosed_string_help(text: &str, at: usize) -> Option<String> {
    if at < text.trim_end().len() {
        return None;
    }
    lexer::ends_in_open_string(text).then(|| {
        "een tekst tussen aanhalingstekens is niet afgesloten: zet er een `\"` achter".to_string()
    })
}

/// The text of a span as a trace shows it: comments left out, white space folded.
pub fn snippet(sources: &crate::source::Sources, span: Span) -> String {
    lexer::code(sources.slice(span))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of the `kw_*` rules and of the `keyword` rule, from the grammar text.
    fn grammar_words() -> (Vec<String>, Vec<String>) {
        let grammar = include_str!("../../grammar/regels.pest");
        let kw_rules = grammar
            .lines()
            .filter(|l| l.starts_with("kw_"))
            .map(|l| l.split('"').nth(1).unwrap().to_string())
            .collect();
        let start = grammar.find("keyword = @{").unwrap();
        let body = &grammar[start..start + grammar[start..].find("\n}").unwrap()];
        let listed = body
            .split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        (kw_rules, listed)
    }

    #[test]
    fn keywords_match_the_kw_rules() {
        let (mut kw_rules, mut listed) = grammar_words();
        for w in &kw_rules {
            assert!(is_keyword(w), "`{w}` must be reserved");
            assert!(!is_keyword(&format!("{w}x")), "`{w}x` is a name");
        }
        kw_rules.sort();
        listed.sort();
        assert_eq!(kw_rules, listed, "`keyword` lists exactly the kw_* words");
    }

    #[test]
    fn keywords_are_recognised_whole() {
        assert!(is_keyword("als"));
        assert!(is_keyword("tot"));
        assert!(!is_keyword("alsof"));
        assert!(!is_keyword("leeftijd"));
    }
}
