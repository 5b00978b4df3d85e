//! The service under faults and abuse, over raw sockets: requests it must refuse before
//! reading them, clients that hold connections open, too many connections, a stop
//! while clients hang, and a decision log that is cut, moved, locked or full.
//! Every refusal is JSON, is in the request log, and records nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const DECISIONS: &str = "/api/v1/regelsets/landelijk/decisions";
const CASE: &str =
    r#"{"soort": "verpleging", "leeftijd": 10, "wlz_indicatie": false, "peildatum": "2025-09-01"}"#;

/// A `wiebetaalt serve` started through `sh` (so a test can set `ulimit`s first), with
/// its request log kept.
struct Service {
    child: Child,
    addr: String,
}

impl Service {
    fn start(limits: &str, extra: &[&str]) -> Service {
        let (child, url) = common::spawn_server_with(limits, "rules", extra, Stdio::piped());
        let addr = url.trim_start_matches("http://").to_string();
        Service { child, addr }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }

    /// Sends `request` as it is and reads the answer until the connection closes.
    fn raw(&self, request: &[u8]) -> Answer {
        let mut s = self.connect();
        // The service may answer and close before it has read all of a large request.
        let _ = s.write_all(request);
        Answer::read(&mut s)
    }

    fn post(&self, path: &str, body: &str) -> Answer {
        self.raw(
            format!(
                "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                self.addr,
                body.len()
            )
            .as_bytes(),
        )
    }

    /// Sends SIGTERM and returns the request log (standard error) once it has stopped,
    /// with how long stopping took.
    fn stop(mut self) -> (String, Duration) {
        let start = Instant::now();
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        self.child.wait().unwrap();
        (log, start.elapsed())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status, head and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn read(s: &mut TcpStream) -> Answer {
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match s.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                // A reset after the answer (the service closed with unread bytes).
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) => panic!("{e}"),
            }
        }
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Answer {
            status,
            head: head.to_string(),
            body: body.to_string(),
        }
    }

    /// The error code of a JSON error answer (`{"error": {"code", "message"}}`).
    fn code(&self) -> String {
        let v: Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {} {}", self.head, self.body));
        assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
        assert!(v["error"]["message"].is_string(), "{v}");
        v["error"]["code"].as_str().unwrap().to_string()
    }
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

fn verify(log: &Path) -> std::process::Output {
    common::run(&["log", "verify", log.to_str().unwrap()], None)
}

/// Requests refused before their body is read: each answer is the JSON error shape with
/// its own status, each is in the request log, and none is decided or recorded.
#[test]
fn refusals_are_json_logged_and_record_nothing() {
    let dir = common::temp_dir("service-refusals");
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let service = Service::start("", &["--log", log.to_str().unwrap()]);
    let host = service.addr.clone();
    let post = |headers: &str, body: &str| {
        service.raw(
            format!("POST {DECISIONS} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n{body}")
                .as_bytes(),
        )
    };
    let length = |b: &str| format!("Content-Length: {}\r\n", b.len());
    let json = "Content-Type: application/json\r\n";

    // The address is too long.
    let long = service.raw(
        format!(
            "GET /api/v1/regelsets?{} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
            "a".repeat(9000)
        )
        .as_bytes(),
    );
    assert_eq!((long.status, long.code().as_str()), (414, "too-large"));
    // Headers too large together.
    let many: String = (0..20)
        .map(|i| format!("X-Extra-{i}: {}\r\n", "b".repeat(1000)))
        .collect();
    let big_head = post(&format!("{json}{many}{}", length(CASE)), CASE);
    assert_eq!(
        (big_head.status, big_head.code().as_str()),
        (431, "too-large")
    );
    // Not JSON: a form post, text, or no type at all.
    for kind in [
        "Content-Type: text/plain\r\n",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        "Content-Type: multipart/form-data; boundary=x\r\n",
        "",
    ] {
        let a = post(&format!("{kind}{}", length(CASE)), CASE);
        assert_eq!(
            (a.status, a.code().as_str()),
            (415, "bad-request"),
            "{kind}"
        );
        assert!(a.body.contains("application/json"), "{}", a.body);
    }
    // From a web page on another site (also with JSON), or from an origin that is no
    // site at all.
    for origin in [
        "http://evil.example",
        "null",
        "https://127.0.0.1.evil.example",
    ] {
        let a = post(&format!("{json}Origin: {origin}\r\n{}", length(CASE)), CASE);
        assert_eq!(
            (a.status, a.code().as_str()),
            (403, "bad-request"),
            "{origin}"
        );
    }
    // Too large, said in advance: refused without `100 Continue`, before the body.
    let a = post(
        &format!("{json}Content-Length: 2000000\r\nExpect: 100-continue\r\n"),
        "",
    );
    assert_eq!((a.status, a.code().as_str()), (413, "too-large"));
    assert!(!a.head.contains("100 Continue"), "{}", a.head);
    // Too large, found while reading a chunked body.
    let chunk = "x".repeat(64 * 1024);
    let chunked: String = (0..20)
        .map(|_| format!("{:x}\r\n{chunk}\r\n", chunk.len()))
        .collect();
    let a = post(
        &format!("{json}Transfer-Encoding: chunked\r\n"),
        &format!("{chunked}0\r\n\r\n"),
    );
    assert_eq!((a.status, a.code().as_str()), (413, "too-large"));

    // A page of the same site may post; its decision is recorded.
    let same = post(
        &format!("{json}Origin: http://{host}\r\n{}", length(CASE)),
        CASE,
    );
    assert_eq!(same.status, 200, "{}", same.body);
    assert_eq!(lines(&log), 1);

    let (requests, _) = service.stop();
    for status in ["414", "431", "415", "403", "413", "200"] {
        assert!(
            requests.contains(&format!("status={status}")),
            "no {status} in the request log:\n{requests}"
        );
    }
    assert!(!requests.contains("verpleging"), "a case in the log");
}

/// A client that opens a connection and sends half a request head, or nothing, is
/// disconnected after the timeout; meanwhile everyone else is served, and a stop does
/// not wait for it longer than the timeout.
#[test]
fn a_client_cannot_hold_a_connection_open() {
    let service = Service::start("", &["--timeout", "1"]);
    let mut half = service.connect();
    half.write_all(
        b"POST /api/v1/regelsets/landelijk/decisions HTTP/1.1\r\nHost: localhost\r\nContent-Le",
    )
    .unwrap();
    let silent = service.connect();
    let start = Instant::now();
    assert_eq!(service.post(DECISIONS, CASE).status, 200);
    // Both are closed by the service within a few seconds (a 408 may come first).
    for mut s in [half, silent] {
        let a = Answer::read(&mut s);
        assert!(a.status == 0 || a.status == 408, "{a:?}");
        assert!(
            start.elapsed() < Duration::from_secs(8),
            "{:?}",
            start.elapsed()
        );
    }
    // A body that never comes: the request times out as a whole.
    let mut slow = service.connect();
    slow.write_all(
        format!("POST {DECISIONS} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"soort\"").as_bytes(),
    )
    .unwrap();
    let a = Answer::read(&mut slow);
    assert_eq!((a.status, a.code().as_str()), (408, "timeout"), "{a:?}");

    // Stopping with a hanging client takes at most about the timeout.
    let mut hanging = service.connect();
    hanging.write_all(b"GET /health HTTP/1.1\r\nHo").unwrap();
    let (requests, took) = service.stop();
    assert!(took < Duration::from_secs(6), "stopping took {took:?}");
    assert!(requests.contains("status=408"), "{requests}");
}

/// More connections than the process can keep open: those beyond the limit get a JSON
/// 503 at once, and once the others close the service serves again.
#[test]
fn too_many_connections_get_a_clear_answer_and_the_service_recovers() {
    let service = Service::start("ulimit -n 64;", &["--timeout", "30"]);
    // The limit is three quarters of the 64 files: 48.
    let held: Vec<TcpStream> = (0..48).map(|_| service.connect()).collect();
    // Let the service take them all before the next arrives.
    std::thread::sleep(Duration::from_millis(300));
    let a = service.post(DECISIONS, CASE);
    assert_eq!((a.status, a.code().as_str()), (503, "timeout"), "{a:?}");
    assert!(
        a.head.to_ascii_lowercase().contains("retry-after"),
        "{}",
        a.head
    );
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let a = service.post(DECISIONS, CASE);
        if a.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {a:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The last records cut off the log while the service runs: it answers 500, appends
/// nothing after the cut, and the log still verifies (without the cut records, which
/// only a checkpoint kept elsewhere can show).
#[test]
fn a_log_cut_while_serving_is_refused_not_continued() {
    let dir = common::temp_dir("service-cut");
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let service = Service::start("", &["--log", log.to_str().unwrap()]);
    for _ in 0..3 {
        assert_eq!(service.post(DECISIONS, CASE).status, 200);
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let head = common::checkpoint(log.to_str().unwrap());
    assert!(head.starts_with("3:"), "{head}");
    let first = text.lines().next().unwrap();
    std::fs::write(&log, format!("{first}\n")).unwrap();
    let a = service.post(DECISIONS, CASE);
    assert_eq!((a.status, a.code().as_str()), (500, "log-failed"), "{a:?}");
    assert!(!a.body.contains(dir.to_str().unwrap()), "{}", a.body);
    assert_eq!(lines(&log), 1);
    // The cut log is a valid chain by itself; the checkpoint kept elsewhere shows the cut.
    assert_eq!(verify(&log).status.code(), Some(0));
    let against = common::run(
        &["log", "verify", "--head", &head, log.to_str().unwrap()],
        None,
    );
    assert_eq!(against.status.code(), Some(3), "a finding");
}

/// A log moved away or replaced while the service runs is not silently started anew.
#[test]
fn a_log_moved_away_is_refused_not_started_anew() {
    let dir = common::temp_dir("service-moved");
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let service = Service::start("", &["--log", log.to_str().unwrap()]);
    assert_eq!(service.post(DECISIONS, CASE).status, 200);
    std::fs::rename(&log, dir.join("elders.jsonl")).unwrap();
    let a = service.post(DECISIONS, CASE);
    assert_eq!((a.status, a.code().as_str()), (500, "log-failed"), "{a:?}");
    assert!(!log.exists());
    // Replaced by a copy: another file, also refused.
    std::fs::copy(dir.join("elders.jsonl"), &log).unwrap();
    assert_eq!(service.post(DECISIONS, CASE).status, 500);
    assert_eq!(lines(&log), 1);
}

/// While another program holds the log's lock past the request's deadline, the
/// decision is answered 503 and not recorded; afterwards the chain goes on.
#[test]
fn a_decision_not_recorded_in_time_is_not_given() {
    let dir = common::temp_dir("service-locked");
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let service = Service::start("", &["--log", log.to_str().unwrap(), "--timeout", "1"]);
    assert_eq!(service.post(DECISIONS, CASE).status, 200);
    let holder = std::fs::File::open(&log).unwrap();
    holder.lock().unwrap();
    let a = service.post(DECISIONS, CASE);
    assert_eq!((a.status, a.code().as_str()), (503, "timeout"), "{a:?}");
    holder.unlock().unwrap();
    assert_eq!(service.post(DECISIONS, CASE).status, 200);
    assert_eq!(lines(&log), 2);
    let out = verify(&log);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 records"));
}

/// While the log's lock is held, every request waits until its own deadline: requests
/// that came in while an earlier one waited are not refused at the earlier deadline.
#[test]
fn each_request_waits_for_the_log_until_its_own_deadline() {
    let dir = common::temp_dir("service-own-deadline");
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let service = Service::start("", &["--log", log.to_str().unwrap(), "--timeout", "2"]);
    assert_eq!(service.post(DECISIONS, CASE).status, 200);
    let holder = std::fs::File::open(&log).unwrap();
    holder.lock().unwrap();
    let start = std::time::Instant::now();
    let at = |secs: f64| {
        let until = start + std::time::Duration::from_secs_f64(secs);
        std::thread::sleep(until.saturating_duration_since(std::time::Instant::now()));
    };
    let (a, b, c) = std::thread::scope(|s| {
        let a = s.spawn(|| service.post(DECISIONS, CASE));
        at(0.7);
        let b = s.spawn(|| service.post(DECISIONS, CASE));
        at(1.5);
        let c = s.spawn(|| service.post(DECISIONS, CASE));
        // B waits with C from A's deadline (2.0 s) on; B's own passes at 2.7 s, C's at 3.5 s.
        at(3.0);
        holder.unlock().unwrap();
        (a.join().unwrap(), b.join().unwrap(), c.join().unwrap())
    });
    assert_eq!((a.status, a.code().as_str()), (503, "timeout"), "{a:?}");
    assert_eq!((b.status, b.code().as_str()), (503, "timeout"), "{b:?}");
    assert_eq!(c.status, 200, "{c:?}");
    assert_eq!(lines(&log), 2);
    assert_eq!(verify(&log).status.code(), Some(0));
}

/// A full disk (here: a file size limit) at a decision: answered 500, nothing half
/// written stays behind, and every decision answered 200 is in the log, which verifies.
#[test]
fn a_full_disk_leaves_a_whole_log_of_exactly_the_answered_decisions() {
    let dir = common::temp_dir("service-full");
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    // `ulimit -f` counts blocks of 512 bytes: about 12 records fit.
    let service = Service::start(
        "trap '' XFSZ; ulimit -f 24;",
        &["--log", log.to_str().unwrap()],
    );
    let mut answered = 0;
    let mut failed = 0;
    for i in 0..40 {
        let a = service.post(
            DECISIONS,
            &format!(r#"{{"id": "c{i}", "soort": "verpleging", "leeftijd": 10, "wlz_indicatie": false, "peildatum": "2025-09-01"}}"#),
        );
        match a.status {
            200 => answered += 1,
            500 => {
                assert_eq!(a.code(), "log-failed");
                failed += 1;
            }
            s => panic!("{s}: {a:?}"),
        }
    }
    assert!(answered > 0 && failed > 0, "{answered} {failed}");
    assert_eq!(lines(&log), answered);
    assert_eq!(verify(&log).status.code(), Some(0));
    assert!(std::fs::read_to_string(&log).unwrap().ends_with('\n'));
}

/// Standard error that cannot be written (a full disk, a closed pipe) does not stop the
/// service from answering, and what it answers is what it recorded.
#[test]
fn a_request_log_that_cannot_be_written_changes_no_answer() {
    let dir = common::temp_dir("service-stderr");
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let (child, url) = common::spawn_server_with(
        "exec 2>/dev/full;",
        "rules",
        &["--log", log.to_str().unwrap()],
        Stdio::null(),
    );
    let service = Service {
        child,
        addr: url.trim_start_matches("http://").to_string(),
    };
    for _ in 0..3 {
        assert_eq!(service.post(DECISIONS, CASE).status, 200);
    }
    assert_eq!(lines(&log), 3);
    assert_eq!(verify(&log).status.code(), Some(0));
}

/// A batch that stops while adding to the log the service writes to stops the service
/// from adding too, as it stops every other writer.
#[test]
fn a_batch_stopped_on_the_services_log_stops_the_service_adding() {
    let dir = common::temp_dir("service-marker");
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let service = Service::start("", &["--log", log.to_str().unwrap()]);
    assert_eq!(service.post(DECISIONS, CASE).status, 200);
    let head = common::checkpoint(log.to_str().unwrap());
    let marker = dir.join("log.jsonl.vastleggen");
    std::fs::write(
        &marker,
        format!("{{\"after\":\"{head}\",\"decisions\":10}}"),
    )
    .unwrap();
    let a = service.post(DECISIONS, CASE);
    assert_eq!((a.status, a.code().as_str()), (500, "log-failed"), "{a:?}");
    assert_eq!(lines(&log), 1);
    std::fs::remove_file(&marker).unwrap();
    assert_eq!(service.post(DECISIONS, CASE).status, 200);
    assert_eq!(lines(&log), 2);
}

/// A web page on another site whose name was made to point at this machine (DNS
/// rebinding) sends its own name in `Host` and a matching `Origin`: refused, unless the
/// service was started with that name (`--host`). IP addresses and `localhost` always
/// work. Every answer forbids framing and sniffing.
#[test]
fn only_known_names_reach_the_service() {
    let case = r#"{"soort": "verpleging"}"#;
    let request = |host: &str| {
        format!(
            "POST {DECISIONS} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{case}",
            case.len()
        )
    };
    let service = Service::start("", &["--host", "wiebetaalt.gemeente.nl"]);
    for host in [
        "127.0.0.1:8080",
        "localhost:8080",
        "[::1]:8080",
        "WIEBETAALT.gemeente.nl",
    ] {
        let a = service.raw(request(host).as_bytes());
        assert_eq!(a.status, 200, "{host}: {a:?}");
    }
    for host in [
        "localhost.:8080",
        "127.0.0.1",
        "wiebetaalt.gemeente.nl.:443",
    ] {
        let a = service.raw(request(host).as_bytes());
        assert_eq!(a.status, 200, "{host}: {a:?}");
    }
    for host in [
        "aanvaller.example:8080",
        "aanvaller.example",
        "127.0.0.1.nip.io",
        "[::1]aanvaller.example",
        "[::1].aanvaller.example",
        "localhost:80x",
        "127.1",
    ] {
        let a = service.raw(request(host).as_bytes());
        assert_eq!(
            (a.status, a.code().as_str()),
            (421, "bad-request"),
            "{host}: {a:?}"
        );
        assert!(a.body.contains("--host"), "{a:?}");
    }
    // Two names, a name that is not ASCII, an address naming another host, or none.
    for head in [
        b"GET /health HTTP/1.1\r\nHost: localhost\r\nHost: aanvaller.example\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /health HTTP/1.1\r\nHost: \xef\xbd\x81.com\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET http://aanvaller.example/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(),
    ] {
        let a = service.raw(&head);
        assert_eq!(a.status, 421, "{}: {a:?}", String::from_utf8_lossy(&head));
    }
    let old = service.raw(b"GET /health HTTP/1.0\r\n\r\n");
    assert_eq!(old.status, 200, "HTTP/1.0 without a name: {old:?}");
    let page = service.raw(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert_eq!(page.status, 200);
    // Also on an answer the framework makes (a method the address does not know).
    let wrong =
        service.raw(b"DELETE /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert_eq!(wrong.status, 405);
    assert!(
        wrong
            .head
            .to_ascii_lowercase()
            .contains("x-frame-options: deny"),
        "{wrong:?}"
    );
    let head = page.head.to_ascii_lowercase();
    assert!(
        head.contains("content-security-policy: default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
        "{head}"
    );
    assert!(head.contains("x-frame-options: deny"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
}

/// Parameters the address does not know are refused, not ignored; `record` counts once.
#[test]
fn unknown_or_repeated_parameters_are_refused() {
    let service = Service::start("", &[]);
    let get = |path: &str| {
        service.raw(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    };
    for path in [
        "/health?x=1",
        "/api/v1/regelsets?naam=landelijk",
        "/api/v1/regelsets/landelijk?x",
        "/api/v1/openapi.json?v=2",
    ] {
        let a = get(path);
        assert_eq!(
            (a.status, a.code().as_str()),
            (400, "bad-request"),
            "{path}: {a:?}"
        );
    }
    // The page keeps its state in the address: its parameters are the page's own.
    assert_eq!(get("/?regio=landelijk&soort=vervoer").status, 200);
    for query in [
        "?record=false&record=true",
        "?record=true&record=true",
        "?record=false&x=1",
    ] {
        let a = service.post(&format!("{DECISIONS}{query}"), r#"{"soort": "verpleging"}"#);
        assert_eq!(
            (a.status, a.code().as_str()),
            (400, "bad-request"),
            "{query}: {a:?}"
        );
    }
    // `null` is no case (an empty object is one without facts), here as in every channel.
    let a = service.post(DECISIONS, "null");
    assert_eq!(
        (a.status, a.code().as_str()),
        (400, "case-not-mapping"),
        "{a:?}"
    );
    assert_eq!(service.post(DECISIONS, "{}").status, 200);
}

/// A client that sends request after request but never reads the answers cannot hold
/// its connection: once an answer could not be sent for the timeout, the service closes
/// the connection (and serves everyone else meanwhile).
#[test]
fn a_client_that_never_reads_is_disconnected() {
    let service = Service::start("", &["--timeout", "1"]);
    let stream = service.connect();
    let mut writer = stream.try_clone().unwrap();
    let request = b"GET /api/v1/regelsets/landelijk HTTP/1.1\r\nHost: localhost\r\n\r\n";
    // About 40 MB of answers, far more than the socket buffers hold.
    let sending = std::thread::spawn(move || {
        for _ in 0..3000 {
            if writer.write_all(request).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(service.post(DECISIONS, CASE).status, 200);
    // The connection is closed: reading what was buffered ends, it does not block.
    let start = Instant::now();
    let mut reader = stream;
    reader
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut total = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match std::io::Read::read(&mut reader, &mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!(
                "still open after {:?} ({total} bytes): {e}",
                start.elapsed()
            ),
        }
    }
    assert!(
        total < 3000 * 14_000,
        "not every answer was sent: {total} bytes"
    );
    let _ = sending.join();
    let (requests, _) = service.stop();
    assert!(requests.contains("niet op tijd"), "{requests}");
}

/// What hyper refuses before the service sees it (a garbage start line, a malformed
/// `Content-Length`, more than 100 headers, an address or a head beyond its buffer) is
/// answered in the same JSON shape, in Dutch, as every other error.
#[test]
fn requests_hyper_cannot_read_get_json_errors() {
    let service = Service::start("", &[]);
    let many: String = (0..120).map(|i| format!("X-Kop-{i}: a\r\n")).collect();
    let long = "a".repeat(70 * 1024);
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (b"ONZIN\r\n\r\n".to_vec(), 400, "bad-request"),
        (b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: tien\r\n\r\n".to_vec(), 400, "bad-request"),
        (format!("GET /health HTTP/1.1\r\nHost: localhost\r\n{many}\r\n").into_bytes(), 431, "too-large"),
        (format!("GET /{long} HTTP/1.1\r\nHost: localhost\r\n\r\n").into_bytes(), 414, "too-large"),
        (format!("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Lang: {long}\r\n\r\n").into_bytes(), 431, "too-large"),
        (format!("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Lang: {long}{long}{long}\r\n\r\n").into_bytes(), 431, "too-large"),
    ];
    for (request, status, code) in cases {
        let a = service.raw(&request);
        assert_eq!((a.status, a.code().as_str()), (status, code), "{a:?}");
        let head = a.head.to_ascii_lowercase();
        assert!(head.contains("content-type: application/json"), "{a:?}");
        assert!(
            head.contains("x-frame-options: deny") && head.contains("content-security-policy"),
            "{a:?}"
        );
    }
    // The service keeps serving.
    assert_eq!(service.post(DECISIONS, CASE).status, 200);
}

/// A key is not forgotten while its first request is still waiting for the log, however
/// many other keys arrive meanwhile: the repeat waits for it and gets its decision, and
/// the log holds one record.
#[test]
fn a_key_in_use_is_not_forgotten() {
    let dir = common::temp_dir("service-key-in-use");
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let service = Service::start("", &["--log", log.to_str().unwrap(), "--timeout", "20"]);
    let keyed = |key: &str, body: &str| {
        format!(
            "POST {DECISIONS} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let case = r#"{"id": "K-1", "soort": "verpleging", "peildatum": "2025-09-01"}"#;
    let holder = std::fs::File::open(&log).unwrap();
    holder.lock().unwrap();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| service.raw(keyed("wb1-blijft", case).as_bytes()));
        std::thread::sleep(Duration::from_millis(300));
        // More keys than are remembered, each refused (an unknown fact), over one connection.
        let mut requests = Vec::new();
        for i in 0..10_050 {
            let body = format!(r#"{{"onbekend_{i}": 1}}"#);
            let r = format!(
                "POST {DECISIONS} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nIdempotency-Key: wb1-{i}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            requests.extend_from_slice(r.as_bytes());
        }
        requests.extend_from_slice(
            b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        );
        let mut flood = service.connect();
        let mut writer = flood.try_clone().unwrap();
        let sending = std::thread::spawn(move || {
            let _ = writer.write_all(&requests);
        });
        let mut all = Vec::new();
        let _ = std::io::Read::read_to_end(&mut flood, &mut all);
        let _ = sending.join();
        assert!(
            String::from_utf8_lossy(&all)
                .matches("HTTP/1.1 422")
                .count()
                >= 10_000
        );
        let b = s.spawn(|| service.raw(keyed("wb1-blijft", case).as_bytes()));
        std::thread::sleep(Duration::from_millis(300));
        holder.unlock().unwrap();
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(b.status, 200, "{b:?}");
    assert!(
        b.head
            .to_ascii_lowercase()
            .contains("idempotent-replayed: true"),
        "{b:?}"
    );
    assert_eq!(a.body, b.body);
    assert_eq!(lines(&log), 1);
    assert_eq!(verify(&log).status.code(), Some(0));
}
