//! The `--debug` log on stderr: every decision, request and response, with secrets redacted.

use std::cell::RefCell;
use std::io::Write;
use std::time::{Duration, Instant};

/// Header names whose values are never shown.
const REDACTED_HEADERS: &[&str] = &["authorization", "x-amz-security-token"];

pub struct DebugLog<'a> {
    enabled: bool,
    started: Instant,
    sink: RefCell<Box<dyn Write + 'a>>,
    /// Values that must never appear, whatever line they end up in (secret key, token).
    secrets: RefCell<Vec<String>>,
}

impl<'a> DebugLog<'a> {
    pub fn new(enabled: bool, sink: Box<dyn Write + 'a>) -> Self {
        DebugLog {
            enabled,
            started: Instant::now(),
            sink: RefCell::new(sink),
            secrets: RefCell::new(Vec::new()),
        }
    }

    pub fn disabled() -> Self {
        Self::new(false, Box::new(std::io::sink()))
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Register a value to scrub from every later line.
    pub fn add_secret(&self, secret: &str) {
        if !secret.is_empty() {
            self.secrets.borrow_mut().push(secret.to_string());
        }
    }

    /// A warning is shown whether or not `--debug` is on.
    pub fn warn(&self, message: &str) {
        let _ = writeln!(self.sink.borrow_mut(), "{message}");
    }

    pub fn line(&self, message: &str) {
        if !self.enabled {
            return;
        }
        let mut text = message.to_string();
        for secret in self.secrets.borrow().iter() {
            text = text.replace(secret.as_str(), "<redacted>");
        }
        let elapsed = self.started.elapsed().as_secs_f64() * 1000.0;
        let mut sink = self.sink.borrow_mut();
        for line in text.lines() {
            // A debug log that cannot be written is not worth failing the command for.
            let _ = writeln!(sink, "kvs debug [{elapsed:8.1} ms] {line}");
        }
    }

    pub fn request(
        &self,
        operation: &str,
        attempt: u32,
        url: &str,
        headers: &[(&str, String)],
        body: &str,
    ) {
        if !self.enabled {
            return;
        }
        self.line(&format!("{operation} attempt {attempt}: POST {url}"));
        for (name, value) in headers {
            self.line(&format!("  > {name}: {}", shown_header(name, value)));
        }
        self.line(&format!("  > body: {body}"));
    }

    pub fn response(
        &self,
        status: u16,
        elapsed: Duration,
        headers: &[(String, String)],
        body: &[u8],
    ) {
        if !self.enabled {
            return;
        }
        let request_id = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amzn-requestid"))
            .map(|(_, v)| v.as_str())
            .unwrap_or("-");
        self.line(&format!(
            "  < HTTP {status} in {:.1} ms, request id {request_id}",
            elapsed.as_secs_f64() * 1000.0
        ));
        for (name, value) in headers {
            self.line(&format!("  < {name}: {}", shown_header(name, value)));
        }
        self.line(&format!("  < body: {}", String::from_utf8_lossy(body)));
    }
}

fn shown_header<'a>(name: &str, value: &'a str) -> &'a str {
    if REDACTED_HEADERS
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
    {
        "<redacted>"
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn secrets_and_signing_headers_are_redacted() {
        let out = Shared::default();
        let log = DebugLog::new(true, Box::new(out.clone()));
        log.add_secret("SECRETKEY");
        log.request(
            "JoinStorageSession",
            1,
            "http://h/x",
            &[
                ("authorization", "AWS4-HMAC-SHA256 Credential=...".into()),
                ("x-amz-security-token", "TOKEN".into()),
                ("content-type", "application/json".into()),
            ],
            "{}",
        );
        log.line("oops SECRETKEY");
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("SECRETKEY"));
        assert!(!text.contains("TOKEN"));
        assert!(!text.contains("Credential="));
        assert!(text.contains("content-type: application/json"));
        assert!(text.contains("authorization: <redacted>"));
    }
}
