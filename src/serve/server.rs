//! Connections: accepting, limits and shutting down.
//!
//! HTTP/1.1 only (what browsers and proxies speak to a service behind them). Every
//! connection must send a request's headers within the timeout (`serve --timeout`, 10
//! s), also while it waits between requests, so a client that opens a connection and
//! sends nothing (or half a header) is disconnected; and an answer that cannot be sent
//! for that long (a client that sends requests but never reads the answers) closes the
//! connection too. At most [`max_connections`] are
//! open at once; a connection beyond that is answered at once with a JSON 503 and
//! closed. On SIGTERM or Ctrl-C no new connection is taken, requests in flight get the
//! timeout once more to finish, and then the service stops regardless.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::diagnostic::io_reason;

/// The largest request head (start line and headers) read; hyper answers a larger one
/// with an empty 431 and closes (the JSON 431 of the service starts at a fraction).
const MAX_HEAD: usize = 64 * 1024;

/// The headers of [`super::protect`] as head lines, for the answers written here
/// before the application sees a request.
fn protect_lines() -> String {
    super::PROTECT
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect()
}

/// At most this many connections beyond the limit are answered with the JSON 503 at
/// once; more are closed without an answer, so that a flood of connections cannot use
/// up the file descriptors the log and the served connections need.
const BUSY_ANSWERS: usize = 4;

/// Connections open at once: 4096, or fewer when the process may open fewer files
/// (a quarter stays for the log, the rule files and the rest).
pub fn max_connections() -> usize {
    let files = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|soft| soft.parse::<usize>().ok())
        })
        .unwrap_or(1024);
    (files / 4 * 3).saturating_sub(BUSY_ANSWERS).clamp(1, 4096)
}

/// The answer to a connection beyond the limit: a JSON 503, then the connection closes.
fn busy() -> Vec<u8> {
    let body = serde_json::json!({"error": {
        "code": crate::diagnostic::Code::Timeout.as_str(),
        "message": "de webservice heeft te veel open verbindingen; probeer het zo opnieuw",
    }})
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n{}connection: close\r\nretry-after: 1\r\ncontent-length: {}\r\n\r\n{body}",
        protect_lines(),
        body.len()
    )
    .into_bytes()
}

/// Serves `app` on `listener` until `stop` completes, then shuts down as described in
/// the module documentation.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeout: Duration,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let limit = Arc::new(Semaphore::new(max_connections()));
    let answering = Arc::new(Semaphore::new(BUSY_ANSWERS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .max_buf_size(MAX_HEAD.max(8192))
        .max_headers(100);
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let mut stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait a moment rather than spin.
                tracing::warn!("kan geen verbinding aannemen: {}", io_reason(&e));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&limit).try_acquire_owned() else {
            tracing::warn!(
                status = 503,
                "verbinding geweigerd: te veel open verbindingen"
            );
            let Ok(answer) = Arc::clone(&answering).try_acquire_owned() else {
                drop(stream);
                continue;
            };
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(1), async {
                    let _ = stream.write_all(&busy()).await;
                    let _ = stream.shutdown().await;
                })
                .await;
                drop(answer);
            });
            continue;
        };
        let _ = stream.set_nodelay(true);
        let mut stream = tokio_io_timeout::TimeoutStream::new(stream);
        stream.set_write_timeout(Some(timeout));
        let service = TowerToHyperService::new(app.clone());
        let stream = JsonAnswers::new(Box::pin(stream));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                connection_error(&e);
            }
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("afsluiten: lopende verzoeken worden afgemaakt");
    if tokio::time::timeout(timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "afsluiten: na {} s zijn er nog verbindingen open; die worden verbroken",
            timeout.as_secs()
        );
    }
    Ok(())
}

/// What hyper answered itself (a head too large, too slow, not HTTP) goes to the
/// request log too, with the status it sent.
fn connection_error(e: &hyper::Error) {
    let (status, what) = if e.is_timeout() {
        (408, "de kop van het verzoek kwam niet op tijd binnen")
    } else if e.is_parse_too_large() {
        (431, "de kop van het verzoek is te groot")
    } else if e.is_parse() {
        (400, "dit is geen geldig HTTP-verzoek")
    } else if e.is_incomplete_message() || e.is_closed() || e.is_canceled() {
        return;
    } else if timed_out(e) {
        (0, "een antwoord kon niet op tijd worden verstuurd (de client las niet); de verbinding is gesloten")
    } else {
        (0, "de verbinding is verbroken")
    };
    tracing::info!(status, "verzoek: {what}");
}

/// Whether the connection failed because a write waited longer than the timeout.
fn timed_out(e: &hyper::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::TimedOut;
        }
        source = cause.source();
    }
    false
}

/// A connection on which hyper's own answers are the service's: hyper answers a request
/// it cannot read (a garbage start line, a malformed `Content-Length`, an address or a
/// head too large for its buffer) itself, with 400, 414 or 431 and an empty body. This
/// writer sends the JSON error in Dutch in its place; everything else passes unchanged.
/// (The service's own answers always carry a `content-type`; hyper's never do.)
struct JsonAnswers<S> {
    inner: S,
    /// A replacement still to be sent, and how much of it has been.
    pending: Vec<u8>,
    sent: usize,
}

impl<S> JsonAnswers<S> {
    fn new(inner: S) -> Self {
        JsonAnswers {
            inner,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> JsonAnswers<S> {
    fn drain(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        while let Some(rest) = self.pending.get(self.sent..).filter(|r| !r.is_empty()) {
            let n = std::task::ready!(std::pin::Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if n == 0 {
                return std::task::Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.pending.clear();
        self.sent = 0;
        std::task::Poll::Ready(Ok(()))
    }
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for JsonAnswers<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for JsonAnswers<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::task::ready!(self.drain(cx))?;
        if let Some(answer) = automatic_answer(buf) {
            self.pending = answer;
            if let std::task::Poll::Ready(Err(e)) = self.drain(cx) {
                return std::task::Poll::Ready(Err(e));
            }
            return std::task::Poll::Ready(Ok(buf.len()));
        }
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::ready!(self.drain(cx))?;
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::ready!(self.drain(cx))?;
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The JSON answer for a head that hyper wrote itself (see [`JsonAnswers`]), if `buf`
/// is one.
fn automatic_answer(buf: &[u8]) -> Option<Vec<u8>> {
    use crate::diagnostic::Code;
    let head = buf.strip_prefix(b"HTTP/1.1 ")?;
    let (status, reason, code, message) = match head.get(..4)? {
        b"400 " => (400, "Bad Request", Code::BadRequest, "dit is geen geldig HTTP-verzoek (de eerste regel of een kopregel, zoals `Content-Length`, klopt niet)"),
        b"414 " => (414, "URI Too Long", Code::TooLarge, "het adres is te lang"),
        b"431 " => (431, "Request Header Fields Too Large", Code::TooLarge, "de kopregels van het verzoek zijn te groot"),
        _ => return None,
    };
    let text = String::from_utf8_lossy(buf).to_ascii_lowercase();
    let end = text.find("\r\n\r\n")?;
    let head = text.get(..end)?;
    if head.contains("content-type:") || !head.contains("content-length: 0") || end + 4 != buf.len()
    {
        return None;
    }
    let body =
        serde_json::json!({"error": {"code": code.as_str(), "message": message}}).to_string();
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n{}connection: close\r\ncontent-length: {}\r\n\r\n{body}",
            protect_lines(),
            body.len()
        )
        .into_bytes(),
    )
}
