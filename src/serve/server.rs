//! Connections: accepting, limits and shutting down.
//!
//! HTTP/1.1 only (what browsers and proxies speak to a service behind them). Every
//! connection must send a request's headers within the timeout (`serve --timeout`, 10
//! s), also while it waits between requests, so a client that opens a connection and
//! sends nothing (or half a header) is disconnected. At most [`max_connections`] are
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
    (files / 4 * 3).clamp(16, 4096)
}

/// The answer to a connection beyond the limit: a JSON 503, then the connection closes.
fn busy() -> Vec<u8> {
    let body = serde_json::json!({"error": {
        "code": crate::diagnostic::Code::Timeout.as_str(),
        "message": "de webservice heeft te veel open verbindingen; probeer het zo opnieuw",
    }})
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\nretry-after: 1\r\ncontent-length: {}\r\n\r\n{body}",
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
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(1), async {
                    let _ = stream.write_all(&busy()).await;
                    let _ = stream.shutdown().await;
                })
                .await;
            });
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
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
    } else {
        (0, "de verbinding is verbroken")
    };
    tracing::info!(status, "verzoek: {what}");
}
