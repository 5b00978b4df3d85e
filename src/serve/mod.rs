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
mod recorded;
mod server;

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
/// How long one request may take, unless `serve --timeout` says otherwise.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest address (path and query) accepted.
const URI_LIMIT: usize = 8 * 1024;
/// The most header bytes (names and values) accepted.
const HEADER_LIMIT: usize = 16 * 1024;

/// The checked rule sets, by id (the file stem).
#[derive(Debug, Clone)]
pub struct Catalog {
    sets: BTreeMap<String, Arc<RuleSet>>,
    /// Where every decision is also recorded (`serve --log`).
    journal: Option<Journal>,
    /// Today's date, for cases without a `peildatum`.
    clock: fn() -> jiff::civil::Date,
    /// Decisions and questions computed at once, on threads of their own (never on the
    /// threads that serve connections).
    work: Arc<tokio::sync::Semaphore>,
    /// How long a request may take (and a connection may stay silent).
    timeout: Duration,
    /// Decisions recorded under an `Idempotency-Key`, answered again instead of being
    /// recorded twice.
    recorded: Arc<recorded::Recorded>,
    /// The names (besides IP addresses and `localhost`) by which the service may be
    /// addressed in `Host` (`serve --host`).
    hosts: Arc<Vec<String>>,
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
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let mut catalog = Catalog {
            sets: BTreeMap::new(),
            journal: None,
            clock,
            work: Arc::new(tokio::sync::Semaphore::new(cores * 4)),
            timeout: TIMEOUT,
            recorded: Arc::default(),
            hosts: Arc::default(),
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

    /// Gives every request `timeout` instead of [`TIMEOUT`].
    /// Also answers requests addressed to these names (`Host`), as behind a proxy that
    /// passes the public name on.
    pub fn with_hosts(mut self, hosts: Vec<String>) -> Catalog {
        self.hosts = Arc::new(hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect());
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Catalog {
        self.timeout = timeout;
        self
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

/// The application: every route, with the limits, the timeout, JSON errors for what
/// the framework answers itself, and request logging.
///
/// Decisions are not under the general timeout: a decision is recorded in the log
/// before it is answered, and a timeout that cut in between would answer with an
/// error what the log holds as given. [`decide`] keeps its own deadline for reading,
/// deciding and waiting for the log, and answers after the log has.
pub fn app(catalog: Catalog) -> Router {
    let timeout = catalog.timeout;
    let hosts = Arc::clone(&catalog.hosts);
    let timed = Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/style.css", get(page::style))
        .route("/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/regelsets", get(list))
        .route("/api/v1/regelsets/{id}", get(detail))
        .route("/api/v1/regelsets/{id}/questions", post(questions))
        .fallback(not_found)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ));
    Router::new()
        .route("/api/v1/regelsets/{id}/decisions", post(decide))
        .merge(timed)
        .with_state(Arc::new(catalog))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(hosts, guard))
        .layer(middleware::from_fn(json_errors_and_log))
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight (see
/// [`server`] for the limits on connections).
pub async fn serve(listener: tokio::net::TcpListener, catalog: Catalog) -> std::io::Result<()> {
    let timeout = catalog.timeout;
    server::serve(listener, app(catalog), timeout, shutdown()).await
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

/// The bytes of a request body, or the answer when it could not be read.
fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::new(
                e.status(),
                Code::BadRequest,
                "het verzoek kon niet gelezen worden",
            )
        }
    })
}

/// The case of a request body, and its decision.
fn case_and_decision(
    clock: fn() -> jiff::civil::Date,
    rs: &RuleSet,
    body: &[u8],
) -> Result<(crate::case::Case, crate::eval::Decision), ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
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
    let date = case.reference_date.unwrap_or_else(clock);
    let decision = evaluate(rs, &case, date).map_err(|e| eval_error(rs, &e))?;
    Ok((case, decision))
}

/// Runs `work` on a thread of its own, at most [`Catalog::work`] at once, and answers
/// 408 when it has not finished by `deadline`. The permit goes with the work, so work
/// that runs on after its answer still counts.
async fn off_the_workers<T: Send + 'static>(
    catalog: &Catalog,
    deadline: Instant,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let deadline = tokio::time::Instant::from_std(deadline);
    let permit = tokio::time::timeout_at(deadline, Arc::clone(&catalog.work).acquire_owned())
        .await
        .map_err(|_| timeout())?
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                Code::Internal,
                "de webservice stopt",
            )
        })?;
    let task = tokio::task::spawn_blocking(move || {
        let answer = work();
        drop(permit);
        answer
    });
    match tokio::time::timeout_at(deadline, task).await {
        Err(_) => Err(timeout()),
        Ok(Err(_)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::Internal,
            "de webservice kon deze casus niet afhandelen",
        )),
        Ok(Ok(answer)) => Ok(answer),
    }
}

fn timeout() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        Code::Timeout,
        "het verzoek duurde te lang; probeer het opnieuw",
    )
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
    let mut record = None;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let value = match pair {
            "record=true" => true,
            "record=false" => false,
            other => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    Code::BadRequest,
                    format!(
                        "onbekende parameter `{other}`: alleen `record=true` of `record=false` kan"
                    ),
                ))
            }
        };
        if record.replace(value).is_some() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                Code::BadRequest,
                "de parameter `record` staat er meer dan één keer; noem hem één keer",
            ));
        }
    }
    Ok(record.unwrap_or(true))
}

async fn decide(
    State(catalog): Shared,
    UrlPath(id): UrlPath<String>,
    request: Request,
) -> Result<Response, ApiError> {
    use axum::extract::FromRequest;
    let deadline = Instant::now() + catalog.timeout;
    let rs = find(&catalog, &id)?;
    let record = record(request.uri().query())? && catalog.journal.is_some();
    let key = idempotency_key(request.headers())?;
    let body = tokio::time::timeout_at(
        tokio::time::Instant::from_std(deadline),
        Bytes::from_request(request, &()),
    )
    .await
    .map_err(|_| timeout())?;
    let body = body_bytes(body)?;
    let Some(key) = key.filter(|_| record) else {
        return decide_and_record(&catalog, &id, rs, body, record, deadline)
            .await
            .map(json_answer);
    };
    // Sent before under this key: the decision that was recorded, not a second record.
    // One request at a time holds the key; another waits for it until its own deadline.
    use sha2::Digest;
    let digest: [u8; 32] = sha2::Sha256::digest(&body).into();
    let slot = catalog.recorded.slot(&id, &key);
    let mut held =
        tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), slot.lock_owned())
            .await
            .map_err(|_| timeout())?;
    if let Some(stored) = held.as_ref() {
        if stored.body != digest {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                Code::BadRequest,
                "deze `Idempotency-Key` is al gebruikt voor een andere casus; een sleutel hoort bij één casus",
            ));
        }
        tracing::info!(regelset = %id, "beslissing: eerder vastgelegd, opnieuw gegeven");
        let mut answer = json_answer(stored.answer.clone());
        answer
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(answer);
    }
    // This request records. It runs to the end on a task of its own, also when its
    // client goes or its answer comes late, and fills the slot with what the log holds.
    let shared = Arc::clone(&catalog);
    let recording = tokio::spawn(async move {
        let result = decide_and_record(&shared, &id, rs, body, true, deadline).await;
        if let Ok(answer) = &result {
            *held = Some(recorded::Stored {
                body: digest,
                answer: answer.clone(),
            });
            shared.recorded.stored(&id, &key, answer.len());
        }
        result
    });
    let answer = recording.await.map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::Internal,
            "het vastleggen van de beslissing stopte onverwacht",
        )
    })??;
    Ok(json_answer(answer))
}

fn json_answer(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The `Idempotency-Key` header, when there is one: 1 to 200 visible ASCII characters.
fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all("idempotency-key").iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let key = value.to_str().ok().filter(|k| recorded::valid_key(k));
    match (key, values.next()) {
        (Some(key), None) => Ok(Some(key.to_string())),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            Code::BadRequest,
            "`Idempotency-Key` is één waarde van 1 tot 200 zichtbare ASCII-tekens",
        )),
    }
}

/// Decides the case of `body` and, when `record`, records it in the log before
/// answering; the decision as JSON.
async fn decide_and_record(
    catalog: &Catalog,
    id: &str,
    rs: Arc<RuleSet>,
    body: Bytes,
    record: bool,
    deadline: Instant,
) -> Result<Bytes, ApiError> {
    let clock = catalog.clock;
    let set = Arc::clone(&rs);
    let (shown, line, status) = off_the_workers(catalog, deadline, move || {
        let (case, decision) = case_and_decision(clock, &set, &body)?;
        let line = record.then(|| {
            let mut line = Vec::new();
            crate::report::json::write_decision(&mut line, &set, &case, &decision);
            line
        });
        Ok::<_, ApiError>((
            show(&set, &case, &decision, Format::Json),
            line,
            decision.status.as_str(),
        ))
    })
    .await??;
    if let (Some(journal), Some(line)) = (&catalog.journal, line) {
        journal
            .append(line, deadline)
            .await
            .map_err(|problem| not_recorded(id, &problem))?;
    }
    tracing::info!(regelset = %id, status = %status, "beslissing");
    Ok(Bytes::from(shown))
}

/// The answer when a decision could not be recorded: it is not given either. The
/// cause (which names the log's path) goes to the service's own log only.
fn not_recorded(id: &str, problem: &crate::diagnostic::Problem) -> ApiError {
    tracing::error!(regelset = %id, "logboek: {}", problem.message);
    if problem.code == Code::Timeout {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::Timeout,
            "het logboek is bezet; de beslissing is niet gegeven en niet vastgelegd. Probeer het zo opnieuw",
        )
    } else {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::LogFailed,
            "de beslissing kon niet in het logboek worden vastgelegd en is daarom niet gegeven; de beheerder vindt de oorzaak in het verslag van de webservice",
        )
    }
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
    let deadline = Instant::now() + catalog.timeout;
    let rs = find(&catalog, &id)?;
    let body = body_bytes(body)?;
    let clock = catalog.clock;
    off_the_workers(&catalog, deadline, move || {
        let (case, decision) = case_and_decision(clock, &rs, &body)?;
        let open =
            crate::interview::questions(&rs, &case, &decision).map_err(|e| eval_error(&rs, &e))?;
        let names: Vec<&str> = open.iter().map(|f| rs.fact_name(*f)).collect();
        Ok(axum::Json(json!({
            "status": decision.status.as_str(),
            "complete": names.is_empty(),
            "next": names.first(),
            "open": names,
        })))
    })
    .await?
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

/// Refuses, before anything is read of the body, a request that is too large, has an
/// address or headers that are too long, sends a case that is not JSON, or comes from
/// a web page on another site (so such a page cannot have decisions recorded).
async fn guard(State(hosts): State<Arc<Vec<String>>>, request: Request, next: Next) -> Response {
    match refusal(&request, &hosts) {
        Some(error) => error.into_response(),
        None => next.run(request).await,
    }
}

fn refusal(request: &Request, hosts: &[String]) -> Option<ApiError> {
    let address = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if address > URI_LIMIT {
        return Some(ApiError::new(
            StatusCode::URI_TOO_LONG,
            Code::TooLarge,
            format!("het adres is langer dan {} KiB", URI_LIMIT / 1024),
        ));
    }
    let headers = request.headers();
    let head: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if head > HEADER_LIMIT {
        return Some(ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Code::TooLarge,
            format!(
                "de kopregels van het verzoek zijn samen groter dan {} KiB",
                HEADER_LIMIT / 1024
            ),
        ));
    }
    if !known_host(request, hosts) {
        return Some(ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            Code::BadRequest,
            "deze webservice is niet onder deze naam bereikbaar; start haar met `--host NAAM` als die naam (in `Host`) bij deze dienst hoort",
        ));
    }
    let path = request.uri().path();
    let api = path.starts_with("/api/") || path == "/health";
    if api && !path.ends_with("/decisions") && request.uri().query().is_some() {
        return Some(ApiError::new(
            StatusCode::BAD_REQUEST,
            Code::BadRequest,
            "dit adres kent geen parameters; laat het deel na `?` weg",
        ));
    }
    if request.method() != axum::http::Method::POST {
        return None;
    }
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if length.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Some(too_large());
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Some(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::BadRequest,
            "stuur de casus als JSON, met de kopregel `Content-Type: application/json`",
        ));
    }
    let mut origins = headers.get_all(header::ORIGIN).iter();
    if let Some(origin) = origins.next() {
        if origins.next().is_some() || !same_site(origin, headers) {
            return Some(ApiError::new(
                StatusCode::FORBIDDEN,
                Code::BadRequest,
                "een verzoek vanaf een andere website wordt geweigerd: de webservice beslist voor haar eigen pagina en voor programma's",
            ));
        }
    }
    None
}

/// Whether `Origin` names the site the request was sent to (`Host`, or the
/// `X-Forwarded-Host` a proxy in front sets).
/// Whether `Host` names this service: an IP address (as clients and proxies that
/// connect by address send), `localhost`, or a name given with `serve --host`. A web
/// page elsewhere whose name was made to point at this machine (DNS rebinding) sends its
/// own name, and is refused, even though its `Origin` matches that `Host`.
fn known_host(request: &Request, hosts: &[String]) -> bool {
    let mut all = request.headers().get_all(header::HOST).iter();
    let host = match (all.next(), all.next()) {
        (Some(value), None) => match value.to_str() {
            Ok(host) => host,
            Err(_) => return false,
        },
        // HTTP/1.0 without `Host` is a program, not a browser; HTTP/1.1 must send one.
        (None, _) => return request.version() < axum::http::Version::HTTP_11,
        (Some(_), Some(_)) => return false,
    };
    // An address in absolute form (`GET http://name/...`) names the host too.
    if let Some(authority) = request.uri().authority() {
        if !authority.as_str().eq_ignore_ascii_case(host) {
            return false;
        }
    }
    known_name(host, hosts)
}

/// `name` or `name:port`: an IP address, `localhost`, or one of `hosts`.
fn known_name(host: &str, hosts: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => {
            let Some((address, rest)) = v6.split_once(']') else {
                return false;
            };
            let port = rest.is_empty() || rest.strip_prefix(':').is_some_and(port_number);
            return port && address.parse::<std::net::Ipv6Addr>().is_ok();
        }
        None => match host.rsplit_once(':') {
            Some((name, port)) if port_number(port) => name,
            Some(_) => return false,
            None => host,
        },
    };
    // `localhost.` is `localhost`: a name with its root dot.
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    name.parse::<std::net::Ipv4Addr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || hosts.iter().any(|h| h.trim_end_matches('.') == name)
}

fn port_number(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

fn same_site(origin: &HeaderValue, headers: &axum::http::HeaderMap) -> bool {
    let Some(authority) = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("http://")
            .or_else(|| o.strip_prefix("https://"))
    }) else {
        return false;
    };
    let host = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
    };
    [host("x-forwarded-host"), host("host")]
        .into_iter()
        .flatten()
        .any(|h| h.eq_ignore_ascii_case(authority))
}

/// Headers on every answer: the page may not be framed by another site (clickjacking),
/// loads nothing but its own files, and no answer is sniffed as another type.
fn protect(headers: &mut axum::http::HeaderMap) {
    for (name, value) in PROTECT {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// The headers [`protect`] puts on every answer.
const PROTECT: [(header::HeaderName, &str); 4] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    ),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
];

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
            StatusCode::REQUEST_TIMEOUT => (Code::Timeout, timeout().message),
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
    // On every answer, also one replaced here.
    protect(response.headers_mut());
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
    /// How long a request may take.
    pub timeout: Duration,
    /// Names the service may be addressed by besides IP addresses and `localhost`.
    pub hosts: Vec<String>,
}

/// Binds, reports the address on standard output, and serves until stopped.
pub fn run(options: &Options<'_>, out: &mut dyn std::io::Write) -> Result<(), String> {
    let addr = options.addr;
    let mut catalog = Catalog::load(options.dir, options.color, options.clock)?
        .with_timeout(options.timeout)
        .with_hosts(options.hosts.clone());
    if let Some(path) = options.log {
        let journal = Journal::start(path).map_err(|p| {
            let help = p.help.map(|h| format!("\n  help: {h}")).unwrap_or_default();
            format!("{}{help}", p.message)
        })?;
        catalog = catalog.with_journal(journal);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("kan de server niet starten: {e}"))?;
    let served = runtime.block_on(async {
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
    });
    // Work still running on blocking threads (a decision past its deadline) does not
    // hold up the stop.
    runtime.shutdown_timeout(Duration::from_secs(1));
    served
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
