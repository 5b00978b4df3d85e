//! Diagnostics: every problem a user can cause, in one shape.
//!
//! A [`Problem`] has a stable [`Code`], a severity, a Dutch one-sentence message, a
//! primary span with a label, optional further labels and an optional `help` with the
//! fix. All stages report problems in this shape, so that the CLI can render them with
//! miette, print them as JSON, and document every code from one table
//! ([`Code::ALL`]). [`Diagnostics`] sorts them by position and renders the first as the
//! message and the rest as `related()`. This module never decides what is wrong; it only
//! describes and renders.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceSpan};

use crate::source::{Sources, Span};

/// How bad a problem is: errors stop the pipeline, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($($variant:ident = $text:literal, $doc:literal;)*) => {
        /// The stable code of a problem, shown as `wiebetaalt::<code>` and documented in
        /// `docs/diagnostics.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in diagnostics and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// One Dutch line on what the code means (for the docs).
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    Io = "io", "een bestand kan niet worden gelezen";
    Syntax = "syntax", "de tekst volgt de taal niet (verkeerd woord, ontbrekend leesteken)";
    ReservedWord = "reserved-word", "een gereserveerd woord wordt als naam gebruikt";
    InvalidDate = "invalid-date", "een datum bestaat niet (bijvoorbeeld 2025-02-30)";
    InvalidNumber = "invalid-number", "een getal is te groot of te precies om exact te rekenen";
    InvalidEscape = "invalid-escape", "een tekst bevat een `\\` die niet voor `\\\"` of `\\\\` staat";
    DuplicateClause = "duplicate-clause", "een onderdeel (zoals `vraag` of `anders`) staat er twee keer";
    MisplacedClause = "misplaced-clause", "een onderdeel staat op een plek waar het bij iets anders hoort dan het lijkt (`anders` onder een regel, `geldig` helemaal links)";
    DuplicateName = "duplicate-name", "twee declaraties hebben dezelfde naam";
    UnknownName = "unknown-name", "een naam verwijst naar niets dat gedeclareerd is";
    UnknownValue = "unknown-value", "een waarde hoort niet bij de keuze of lijst van het feit";
    DuplicateValue = "duplicate-value", "een keuze of lijst noemt dezelfde waarde twee keer";
    InvalidBounds = "invalid-bounds", "de ondergrens van `tussen` is groter dan de bovengrens";
    TypeMismatch = "type-mismatch", "een waarde van het ene soort wordt gebruikt waar een ander soort nodig is";
    ChainedComparison = "chained-comparison", "twee vergelijkingen staan zonder `en`/`of` achter elkaar";
    SplitNot100 = "split-not-100", "de percentages van een `verdeel` tellen niet op tot precies 100";
    DuplicateShare = "duplicate-share", "een `verdeel` noemt hetzelfde domein twee keer";
    ExceptionCycle = "exception-cycle", "regels zijn (via `uitzondering op`) uitzondering op elkaar";
    DecisionCycle = "decision-cycle", "beslissingen lezen elkaar (of een regel leest zijn eigen beslissing)";
    ConceptCycle = "concept-cycle", "begrippen zijn in elkaar gedefinieerd";
    BaseNotFound = "base-not-found", "het bestand van `gebaseerd op` bestaat niet";
    BaseCycle = "base-cycle", "bestanden zijn (via `gebaseerd op`) op elkaar gebaseerd";
    OverrideUnknown = "override-unknown", "`vervang` of `schrap` noemt iets dat het basisbestand niet heeft";
    OverrideWithoutBase = "override-without-base", "`vervang` of `schrap` in een bestand zonder `gebaseerd op`";
    InvalidPeriod = "invalid-period", "een geldigheidsperiode eindigt niet na haar begin";
    DivisionByZero = "division-by-zero", "er wordt door nul gedeeld";
    NoDomains = "no-domains", "de regelset declareert geen enkel domein";
    OutOfBounds = "out-of-bounds", "een getal valt buiten de grenzen van `tussen`";
    NotValid = "not-valid", "de regelset geldt niet op de peildatum";
    CaseSyntax = "case-syntax", "het casusbestand is geen geldige YAML of JSON";
    CaseNotMapping = "case-not-mapping", "een casus is geen lijst van `feit: waarde`-paren";
    UnknownFact = "unknown-fact", "een casus noemt een feit dat de regelset niet kent";
    WrongValue = "wrong-value", "een waarde in een casus past niet bij het soort van het feit";
    LogBroken = "log-broken", "het beslissingslogboek is afgebroken, veranderd of ingekort";
    NotADecision = "not-a-decision", "het bestand voor `replay` is geen vastgelegde beslissing";
    MatrixRows = "matrix-rows", "de rijen van `matrix` zijn geen keuzefeit dat de regels lezen";
    TooDeep = "too-deep", "een voorwaarde is te diep genest of te lang om veilig te lezen";
    NoFallback = "no-fallback", "waarschuwing: er is geen `anders`; het grijze gebied wordt gelijk verdeeld";
    DivisorMayBeZero = "divisor-may-be-zero", "waarschuwing: een deler kan nul zijn";
    PeriodOutsideRuleSet = "period-outside-ruleset", "waarschuwing: een regel geldt (deels) buiten de periode van de regelset";
    NeverApplies = "never-applies", "waarschuwing: geen enkel geval voldoet aan de voorwaarde van deze regel";
    AlwaysOverridden = "always-overridden", "waarschuwing: de regel kan gelden, maar een uitzondering zet hem dan altijd opzij";
    PossibleConflict = "possible-conflict", "waarschuwing: twee regels met verschillende uitkomsten kunnen samen gelden";
    ReachesFallback = "reaches-fallback", "waarschuwing: voor deze gevallen geldt geen regel; de uitkomst van `anders` geldt";
    UnusedFact = "unused-fact", "waarschuwing: geen regel leest dit feit";
    UnusedConcept = "unused-concept", "waarschuwing: geen regel gebruikt dit begrip";
    ApproximateAnalysis = "approximate-analysis", "waarschuwing: de analyse is hier benaderend (rekenen met meerdere feiten)";
    NotFound = "not-found", "de webservice kent deze regelset of dit adres niet";
    BadRequest = "bad-request", "het verzoek aan de webservice is niet te lezen (een onbekende parameter, geen UTF-8)";
    TooLarge = "too-large", "de invoer is groter dan toegestaan";
    LogFailed = "log-failed", "de beslissing kon niet in het logboek worden vastgelegd";
    Timeout = "timeout", "het verzoek aan de webservice duurde te lang";
    Internal = "internal", "een interne fout van wiebetaalt (een fout in het programma, niet in uw invoer)";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem at one place.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub code: Code,
    pub severity: Severity,
    /// Dutch, lowercase, one sentence, no final period; user input in backticks.
    pub message: String,
    /// The place; `None` only for problems without a file (an unreadable path).
    pub span: Option<Span>,
    pub label: String,
    pub others: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl Problem {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Problem {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: String::new(),
            others: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, span, message)
        }
    }

    /// A problem that has no place in a file (a file that cannot be read).
    pub fn without_span(code: Code, message: impl Into<String>) -> Self {
        Problem {
            span: None,
            ..Problem::error(code, Span::default(), message)
        }
    }

    /// A problem that cannot happen unless `wiebetaalt` itself has a bug: an internal
    /// guarantee (an `// INVARIANT:` in the code) did not hold. Reported instead of
    /// guessing, so that a bug never turns into a wrong decision.
    pub fn internal(what: impl Into<String>) -> Self {
        Problem::without_span(
            Code::Internal,
            format!("interne fout: {}", what.into()),
        )
        .help("dit is een fout in wiebetaalt, niet in uw invoer; meld het met de bestanden die het veroorzaakten")
    }

    /// A file that cannot be read: `kan <what> `<path>` niet lezen: <reason>`.
    pub fn unreadable(what: &str, path: &str, e: &std::io::Error) -> Self {
        Problem::without_span(
            Code::Io,
            format!("kan {what} `{path}` niet lezen: {}", io_reason(e)),
        )
    }

    /// Sets the help to "bedoelde u `x`?" when a candidate is close to `name`.
    pub fn did_you_mean<'a>(
        self,
        name: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let help = did_you_mean(name, candidates);
        self.maybe_help(help)
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.others.push((span, label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Problems found by one run of a stage, kept sorted by position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems(Vec<Problem>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    pub fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Problem::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All problems sorted by file and position (stable for equal places).
    pub fn sorted(mut self) -> Vec<Problem> {
        self.0
            .sort_by_key(|p| (p.span.map(|s| (s.file, s.start)), p.severity));
        self.0.dedup();
        self.0
    }

    /// The problems in one line, for answers without a source to point into (a batch
    /// line, an API error): each message with its help, in order, joined by `; `.
    pub fn one_line(problems: &[Problem]) -> String {
        problems
            .iter()
            .map(|p| match &p.help {
                Some(help) => format!("{} ({help})", p.message),
                None => p.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn errors(self) -> Vec<Problem> {
        self.sorted()
            .into_iter()
            .filter(Problem::is_error)
            .collect()
    }

    pub fn warnings(self) -> Vec<Problem> {
        self.sorted()
            .into_iter()
            .filter(|p| !p.is_error())
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }
}

/// What stopped a stage: at least one error, with every other problem found (warnings
/// included). It cannot be empty, so a failure always says why.
#[derive(Debug, Clone, PartialEq)]
pub struct Errors {
    first: Problem,
    rest: Vec<Problem>,
}

impl Errors {
    /// All problems sorted by file and position.
    pub fn sorted(self) -> Vec<Problem> {
        let mut all = Problems(self.rest);
        all.push(self.first);
        all.sorted()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        std::iter::once(&self.first).chain(self.rest.iter())
    }

    /// The code of the first error in position order.
    pub fn first_code(&self) -> Code {
        self.iter()
            .filter(|p| p.is_error())
            .min_by_key(|p| p.span.map(|s| (s.file, s.start)))
            .map_or(self.first.code, |p| p.code)
    }

    /// Adds the problems of another run (their warnings too).
    pub fn extend(&mut self, other: Problems) {
        self.rest.extend(other.0);
    }
}

impl From<Problem> for Errors {
    fn from(problem: Problem) -> Self {
        if problem.is_error() {
            Errors {
                first: problem,
                rest: Vec::new(),
            }
        } else {
            Problems::from(problem).into_errors()
        }
    }
}

impl From<Errors> for Problems {
    fn from(errors: Errors) -> Self {
        let mut all = Problems(errors.rest);
        all.push(errors.first);
        all
    }
}

impl Problems {
    /// These problems as the reason a stage stopped. When none of them is an error
    /// (which a stage that stops must have found), an internal error says so.
    pub fn into_errors(self) -> Errors {
        let mut all = self.0;
        let first = match all.iter().position(Problem::is_error) {
            Some(i) => all.remove(i),
            None => Problem::internal("een stap stopte zonder te zeggen waarom"),
        };
        Errors { first, rest: all }
    }

    /// `Ok(warnings)` when there is no error, else the errors.
    pub fn into_result(self) -> Result<Problems, Errors> {
        if self.has_errors() {
            Err(self.into_errors())
        } else {
            Ok(self)
        }
    }
}

impl From<Problem> for Problems {
    fn from(problem: Problem) -> Self {
        Problems(vec![problem])
    }
}

impl FromIterator<Problem> for Problems {
    fn from_iter<I: IntoIterator<Item = Problem>>(iter: I) -> Self {
        Problems(iter.into_iter().collect())
    }
}

/// A problem made renderable: its source attached.
#[derive(Debug)]
pub struct Rendered {
    problem: Problem,
    source: Option<NamedSource<Excerpt>>,
    related: Vec<Rendered>,
}

impl Rendered {
    /// The first problem as the message, the rest as related diagnostics.
    pub fn group(problems: Vec<Problem>, sources: &Sources) -> Option<Rendered> {
        let mut all = problems.into_iter().map(|p| Rendered::one(p, sources));
        let mut first = all.next()?;
        first.related = all.collect();
        Some(first)
    }

    fn one(problem: Problem, sources: &Sources) -> Rendered {
        let source = problem.span.and_then(|s| sources.get(s.file)).map(|f| {
            // Control characters of a case reach the terminal as `?`, in place.
            let text = match crate::text::printable_in_place(&f.text) {
                std::borrow::Cow::Borrowed(_) => Arc::clone(&f.text),
                std::borrow::Cow::Owned(clean) => Arc::from(clean),
            };
            NamedSource::new(crate::text::printable(&f.path), Excerpt(text)).with_language("regels")
        });
        let mut problem = problem;
        let clean = |t: &mut String| {
            if let std::borrow::Cow::Owned(c) = crate::text::printable(t) {
                *t = c;
            }
        };
        clean(&mut problem.message);
        clean(&mut problem.label);
        if let Some(help) = &mut problem.help {
            clean(help);
        }
        for (_, label) in &mut problem.others {
            clean(label);
        }
        Rendered {
            problem,
            source,
            related: Vec::new(),
        }
    }
}

/// The longest stretch of a label that is underlined, in bytes; a longer span (a value
/// of a megabyte) is underlined from its start.
const LONGEST_LABEL: usize = 120;
/// Labels further than this from the primary place are left out of the snippet.
const FARTHEST_LABEL: usize = 2_000;
/// A line longer than this is shown as an excerpt around the place.
const LONGEST_LINE: usize = 240;
/// Bytes shown on each side of the place in such an excerpt.
const EXCERPT_MARGIN: usize = 60;

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new(span.start.into(), span.len().min(LONGEST_LABEL))
}

/// A file's text as miette reads it, shared (one copy for all problems of a file) and
/// shown as an excerpt around the place where a line is long: a case of one line of a
/// megabyte (JSON written without line ends) gets a snippet of a screen wide, never
/// the whole line, and the header names the place as `file:line:column` with the
/// column in characters, as the JSON output does.
#[derive(Debug)]
struct Excerpt(Arc<str>);

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &'a str = &self.0;
        let start = span.offset().min(text.len());
        let end = (start + span.len()).min(text.len());
        let line_start = text[..floor(text, start)].rfind('\n').map_or(0, |i| i + 1);
        let line = text[..line_start].matches('\n').count();
        if before == 0 && after == 0 {
            // The header: only the place is read.
            let column = text[line_start..floor(text, start)].chars().count();
            return Ok(Box::new(miette::MietteSpanContents::new(
                text.as_bytes().get(start..end).unwrap_or_default(),
                *span,
                line,
                column,
                1,
            )));
        }
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        if line_end - line_start <= LONGEST_LINE {
            let full = text.read_span(span, before, after)?;
            if full
                .data()
                .split(|b| *b == b'\n')
                .all(|l| l.len() <= LONGEST_LINE)
            {
                return Ok(full);
            }
        }
        let from = floor(text, start.saturating_sub(EXCERPT_MARGIN).max(line_start));
        let to = ceil(text, (end + EXCERPT_MARGIN).min(line_end));
        Ok(Box::new(miette::MietteSpanContents::new(
            text.as_bytes().get(from..to).unwrap_or_default(),
            SourceSpan::new(from.into(), to - from),
            line,
            0,
            1,
        )))
    }
}

fn floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("wiebetaalt::{}", self.problem.code)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.problem.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.problem.span?;
        let primary = LabeledSpan::new_primary_with_span(
            Some(self.problem.label.clone()).filter(|l| !l.is_empty()),
            source_span(span),
        );
        let others = self
            .problem
            .others
            .iter()
            .filter(move |(s, _)| {
                s.file == span.file && s.start.abs_diff(span.start) <= FARTHEST_LABEL
            })
            .map(|(s, l)| LabeledSpan::new_with_span(Some(l.clone()), source_span(*s)));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

/// Renders problems as miette reports: errors grouped into one report, each warning
/// on its own. `color` chooses ANSI colours; `width` the line width.
pub fn render(problems: Vec<Problem>, sources: &Sources, color: bool, width: usize) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let (errors, warnings): (Vec<_>, Vec<_>) = problems.into_iter().partition(Problem::is_error);
    let mut out = String::new();
    // Each problem as a report of its own: the same header (`wiebetaalt::code`) for
    // every one, never miette's English `Error:` before the related ones.
    let groups = errors.into_iter().chain(warnings).map(|p| vec![p]);
    for group in groups {
        if let Some(report) = Rendered::group(group, sources) {
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut out, &report);
        }
    }
    out
}

/// "bedoelde u `x`?" for the candidate closest to `name`, if one is close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    crate::text::closest(name, candidates).map(|c| format!("bedoelde u `{c}`?"))
}

/// Why a file could not be read or written, in Dutch.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "bestand niet gevonden".to_string(),
        std::io::ErrorKind::PermissionDenied => "geen toestemming".to_string(),
        std::io::ErrorKind::InvalidData => "het bestand is geen UTF-8-tekst".to_string(),
        std::io::ErrorKind::IsADirectory => "dit is een map, geen bestand".to_string(),
        std::io::ErrorKind::StorageFull => "de schijf is vol".to_string(),
        std::io::ErrorKind::BrokenPipe => "de ontvanger is gestopt met lezen".to_string(),
        _ => match e.raw_os_error() {
            Some(code) => format!("fout van het besturingssysteem (code {code})"),
            // Errors made by this program carry their reason in Dutch.
            None if e.kind() == std::io::ErrorKind::Other && e.get_ref().is_some() => e.to_string(),
            None => "onbekende lees- of schrijffout".to_string(),
        },
    }
}

/// `file:line:column` of a problem, for one-line and JSON output.
pub fn location(problem: &Problem, sources: &Sources) -> Option<(String, usize, usize)> {
    let span = problem.span?;
    let file = sources.get(span.file)?;
    let (line, column) = file.line_column(span.start);
    Some((file.path.clone(), line, column))
}

/// A finding of the analysis (`check`'s lints): a warning, the rules it is about (by
/// name), and a case that shows it under `eval`. Rendered by [`crate::report`].
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub problem: Problem,
    pub rules: Vec<String>,
    /// A case (a JSON object of facts, with `peildatum`).
    pub example: Option<serde_json::Value>,
}

impl Finding {
    pub fn new(problem: Problem) -> Finding {
        Finding {
            problem,
            rules: Vec::new(),
            example: None,
        }
    }

    /// The rules the finding is about.
    pub fn rules(mut self, rules: Vec<String>) -> Self {
        self.rules = rules;
        self
    }

    /// A case that shows the finding.
    pub fn example(mut self, example: serde_json::Value) -> Self {
        self.example = Some(example);
        self
    }
}
