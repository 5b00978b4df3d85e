//! The web service (`wiebetaalt serve`): a JSON API over the rule sets of a directory,
//! and the page for wijkteam consultants at `/`.
//!
//! Rule sets are loaded and checked once, at start; a file with errors stops the start.
//! Handlers are thin: they validate the request, call [`evaluate`] and reuse the
//! CLI's JSON, so the API returns exactly what `eval --format json` prints. Every
//! error is `{"error": {"code", "message"}}`. Logs name the route, the rule set, the
//! status and the time taken, never the case.

mod api;
mod journal;

pub use journal::Journal;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value as Json};
use tower_http::timeout::TimeoutLayer;

use crate::case::case_from_json_text;
use crate::diagnostic::{io_reason, render, Code, Problems};
use crate::eval::{evaluate, EvalError};
use crate::load::load_with;
use crate::report::{render as show, Format};
use crate::ruleset::RuleSet;
use crate::source::Sources;

/// The largest request body accepted.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The checked rule sets, by id (the file stem).
#[derive(Debug, Clone)]
pub struct Catalog {
    sets: BTreeMap<String, Arc<RuleSet>>,
    /// Where every decision is also recorded (`serve --log`).
    journal: Option<Journal>,
    /// Today's date, for cases without a `peildatum`.
    clock: fn() -> jiff::civil::Date,
}

impl Catalog {
    /// Loads and checks every `.regels` file in `dir`. Errors come back rendered as
    /// diagnostics, all of them, for every file that has any.
    pub fn load(
        dir: &Path,
        color: bool,
        clock: fn() -> jiff::civil::Date,
    ) -> Result<Catalog, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            format!(
                "kan de map `{}` niet lezen: {}",
                dir.display(),
                io_reason(&e)
            )
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "regels"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(format!(
                "de map `{}` bevat geen `.regels`-bestanden",
                dir.display()
            ));
        }
        let mut catalog = Catalog {
            sets: BTreeMap::new(),
            journal: None,
            clock,
        };
        // Rule files are named by the served directory's own name and the file name
        // (`rules/nijmegen.regels`), never by a path of this server.
        let full = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let root = full.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = full.file_name().map_or_else(
            || std::ffi::OsString::from("regels"),
            std::ffi::OsStr::to_os_string,
        );
        let read = |p: &Path| crate::load::read_rule_file(&root.join(p));
        let mut errors = String::new();
        for path in paths {
            let mut sources = Sources::new();
            let shown = Path::new(&name).join(path.file_name().unwrap_or_default());
            match load_with(&shown, &read, &mut sources) {
                Ok((rs, _)) => {
                    let id = path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    catalog.sets.insert(id, Arc::new(rs));
                }
                Err(problems) => errors.push_str(&render(problems.sorted(), &sources, color, 100)),
            }
        }
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(errors)
        }
    }

    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Records every decision in `journal` from now on.
    pub fn with_journal(mut self, journal: Journal) -> Catalog {
        self.journal = Some(journal);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// The application: every route, with the body limit, the timeout, JSON errors for
/// what the framework answers itself, and request logging.
pub fn app(catalog: Catalog) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/style.css", get(page::style))
        .route("/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/regelsets", get(list))
        .route("/api/v1/regelsets/{id}", get(detail))
        .route("/api/v1/regelsets/{id}/decisions", post(decide))
        .route("/api/v1/regelsets/{id}/questions", post(questions))
        .fallback(not_found)
        .with_state(Arc::new(catalog))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(json_errors_and_log))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            TIMEOUT,
        ))
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, catalog: Catalog) -> std::io::Result<()> {
    axum::serve(listener, app(catalog))
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("afsluiten: lopende verzoeken worden afgemaakt");
}

/// An API error: `{"error": {"code", "message"}}` with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: Code,
    message: String,
}

impl ApiError {
    /// An answer with the code of `docs/diagnostics.md` (the same vocabulary as the
    /// command line and the error lines of `batch`).
    fn new(status: StatusCode, code: Code, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code.as_str(), "message": self.message}});
        (self.status, axum::Json(body)).into_response()
    }
}

type Shared = State<Arc<Catalog>>;

fn find(catalog: &Catalog, id: &str) -> Result<Arc<RuleSet>, ApiError> {
    catalog.sets.get(id).cloned().ok_or_else(|| {
        let known: Vec<&str> = catalog.sets.keys().map(String::as_str).collect();
        ApiError::new(
            StatusCode::NOT_FOUND,
            Code::NotFound,
            format!("er is geen regelset `{id}`; wel: {}", known.join(", ")),
        )
    })
}

async fn health(State(catalog): Shared) -> axum::Json<Json> {
    axum::Json(json!({"status": "ok", "regelsets": catalog.len()}))
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

async fn list(State(catalog): Shared) -> axum::Json<Json> {
    let sets: Vec<Json> = catalog
        .sets
        .iter()
        .map(|(id, rs)| api::summary(id, rs))
        .collect();
    axum::Json(Json::Array(sets))
}

async fn detail(
    State(catalog): Shared,
    UrlPath(id): UrlPath<String>,
) -> Result<axum::Json<Json>, ApiError> {
    let rs = find(&catalog, &id)?;
    Ok(axum::Json(api::detail(&id, &rs)))
}

/// The case of a request body, and its decision.
fn case_and_decision(
    catalog: &Catalog,
    rs: &RuleSet,
    body: Result<Bytes, BytesRejection>,
) -> Result<(crate::case::Case, crate::eval::Decision), ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::new(
                e.status(),
                Code::BadRequest,
                "het verzoek kon niet gelezen worden",
            )
        }
    })?;
    let text = std::str::from_utf8(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Code::CaseSyntax,
            format!(
                "de casus is geen UTF-8-tekst (na {} bytes)",
                e.valid_up_to()
            ),
        )
    })?;
    let mut sources = Sources::new();
    let file = sources.add("casus", text);
    let case = case_from_json_text(text, file, rs).map_err(|problems| {
        let problems = problems.sorted();
        let code = problems.first().map_or(Code::CaseSyntax, |p| p.code);
        // A body that is no JSON object is a bad request; a case with wrong facts is
        // one the service understood but cannot decide.
        let status = match code {
            Code::CaseSyntax | Code::TooDeep | Code::CaseNotMapping => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, code, Problems::one_line(&problems))
    })?;
    let date = case.reference_date.unwrap_or_else(catalog.clock);
    let decision = evaluate(rs, &case, date).map_err(|e| eval_error(rs, &e))?;
    Ok((case, decision))
}

fn eval_error(rs: &RuleSet, e: &EvalError) -> ApiError {
    match e {
        EvalError::NotValid { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::NotValid,
            e.problem(rs).message,
        ),
        EvalError::DivisionByZero { .. } | EvalError::Overflow { .. } | EvalError::Internal(_) => {
            let p = e.problem(rs);
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, p.code, p.message)
        }
    }
}

/// Whether `?record=` asks to leave a decision out of the log: `record=false` for the
/// page's intermediate answers; without it (or `record=true`) a decision is recorded
/// when the service runs with `--log`.
fn record(query: Option<&str>) -> Result<bool, ApiError> {
    let mut record = true;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match pair {
            "record=true" => record = true,
            "record=false" => record = false,
            other => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    Code::BadRequest,
                    format!(
                        "onbekende parameter `{other}`: alleen `record=true` of `record=false` kan"
                    ),
                ))
            }
        }
    }
    Ok(record)
}

async fn decide(
    State(catalog): Shared,
    UrlPath(id): UrlPath<String>,
    uri: axum::http::Uri,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let rs = find(&catalog, &id)?;
    let record = record(uri.query())?;
    let (case, decision) = case_and_decision(&catalog, &rs, body)?;
    if let (Some(journal), true) = (&catalog.journal, record) {
        let mut line = Vec::new();
        crate::report::json::write_decision(&mut line, &rs, &case, &decision);
        journal.append(line).await.map_err(|message| {
            tracing::error!(regelset = %id, "logboek: {message}");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, Code::LogFailed, message)
        })?;
    }
    tracing::info!(
        regelset = %id,
        status = %decision.status.as_str(),
        "beslissing"
    );
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        show(&rs, &case, &decision, Format::Json),
    )
        .into_response())
}

/// `POST /api/v1/regelsets/{id}/questions`: which facts can still change the outcome of
/// this case, in asking order (`next` is the first, `null` once there is a decision).
/// Unlike the decision's `missing`, this leaves out facts that are read only in a part
/// of a condition that is already decided.
async fn questions(
    State(catalog): Shared,
    UrlPath(id): UrlPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<Json>, ApiError> {
    let rs = find(&catalog, &id)?;
    let (case, decision) = case_and_decision(&catalog, &rs, body)?;
    let open =
        crate::interview::questions(&rs, &case, &decision).map_err(|e| eval_error(&rs, &e))?;
    let names: Vec<&str> = open.iter().map(|f| rs.fact_name(*f)).collect();
    Ok(axum::Json(json!({
        "status": decision.status.as_str(),
        "complete": names.is_empty(),
        "next": names.first(),
        "open": names,
    })))
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        Code::TooLarge,
        format!(
            "het verzoek is groter dan {} MiB",
            BODY_LIMIT / (1024 * 1024)
        ),
    )
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        Code::NotFound,
        "deze pagina of route bestaat niet",
    )
}

/// Turns the framework's own error answers (wrong method, timeout, ...) into the JSON
/// error shape, and logs every request without its body.
async fn json_errors_and_log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let start = Instant::now();
    let mut response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let (code, message) = match status {
            StatusCode::METHOD_NOT_ALLOWED => (
                Code::BadRequest,
                "dit adres kent deze methode niet (gebruik GET voor een regelset, POST voor een beslissing)".to_string(),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (Code::TooLarge, too_large().message),
            StatusCode::REQUEST_TIMEOUT => (
                Code::Timeout,
                "het verzoek duurde te lang; probeer het opnieuw".to_string(),
            ),
            s if s.is_server_error() => (
                Code::Internal,
                format!("de webservice kon het verzoek niet afhandelen (HTTP {})", s.as_u16()),
            ),
            s => (
                Code::BadRequest,
                format!("het verzoek is niet goed (HTTP {})", s.as_u16()),
            ),
        };
        let allow = response.headers().get(header::ALLOW).cloned();
        response = ApiError::new(status, code, message).into_response();
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    response.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    tracing::info!(
        %method,
        %path,
        status = status.as_u16(),
        ms = format!("{:.2}", start.elapsed().as_secs_f64() * 1000.0),
        "verzoek"
    );
    response
}

/// How to serve.
pub struct Options<'a> {
    /// The directory of `.regels` files.
    pub dir: &'a Path,
    pub addr: SocketAddr,
    /// Colours in the diagnostics of a refused start.
    pub color: bool,
    /// The decision log, if any.
    pub log: Option<&'a Path>,
    /// Today's date.
    pub clock: fn() -> jiff::civil::Date,
}

/// Binds, reports the address on standard output, and serves until stopped.
pub fn run(options: &Options<'_>, out: &mut dyn std::io::Write) -> Result<(), String> {
    let addr = options.addr;
    let mut catalog = Catalog::load(options.dir, options.color, options.clock)?;
    if let Some(path) = options.log {
        catalog = catalog.with_journal(Journal::start(path)?);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("kan de server niet starten: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("kan niet luisteren op {addr}: {}", io_reason(&e)))?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("kan het adres niet bepalen: {e}"))?;
        let _ = writeln!(
            out,
            "wiebetaalt luistert op http://{bound} ({} regelsets)",
            catalog.len()
        );
        let _ = out.flush();
        serve(listener, catalog)
            .await
            .map_err(|e| format!("de server stopte met een fout: {e}"))
    })
}

mod page {
    //! The page for consultants: static files, embedded in the binary.
    use axum::http::header;
    use axum::response::IntoResponse;

    pub async fn index() -> impl IntoResponse {
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            include_str!("web/index.html"),
        )
    }

    pub async fn script() -> impl IntoResponse {
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            include_str!("web/app.js"),
        )
    }

    pub async fn style() -> impl IntoResponse {
        (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            include_str!("web/style.css"),
        )
    }
}
