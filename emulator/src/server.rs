//! HTTP serving: accept connections (plain or TLS), journal each request, apply faults,
//! verify its signature, answer it. Admin routes under `/_emulator/` control the faults and
//! read the journal.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::api::{self, Api, Plane, Reply};
use crate::sigv4;
use crate::state::{Fault, FaultKind, JournalEntry, State};

/// What every request handler shares.
pub struct Shared {
    pub state: State,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    pub control_url: String,
    pub storage_url: String,
    pub verbose: bool,
}

const SERVICE: &str = "kinesisvideo";
const MAX_BODY: usize = 1 << 20;
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A fault asked for the connection to be dropped without an answer.
#[derive(Debug)]
struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by fault injection")
    }
}

impl std::error::Error for ResetConnection {}

/// Accept connections until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    plane: Plane,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        let Ok((stream, _)) = accepted else {
            // Out of descriptors or similar: back off briefly instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = shared.clone();
                async move { handle(request, plane, &shared).await }
            });
            let http = hyper::server::conn::http1::Builder::new();
            match tls {
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await;
                    if let Ok(Ok(stream)) = handshake {
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
            }
        });
    }
}

type HttpResponse = Response<Full<Bytes>>;

async fn handle(
    request: Request<Incoming>,
    plane: Plane,
    shared: &Shared,
) -> Result<HttpResponse, ResetConnection> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(json_response(
                413,
                &json!({"message": "The request body is too large."}),
                &[],
            ))
        }
    };

    if let Some(admin) = path.strip_prefix("/_emulator/") {
        return Ok(admin_route(&method, admin, &body, shared));
    }

    let operation = api::operation_for(&path, plane);
    let verdict = sigv4::verify(
        &sigv4::Request {
            method: method.as_str(),
            path: &path,
            query: &query,
            headers: &headers,
            body: &body,
        },
        &sigv4::Expected {
            access_key_id: &shared.access_key_id,
            secret_access_key: &shared.secret_access_key,
            session_token: shared.session_token.as_deref(),
            region: &shared.region,
            service: SERVICE,
        },
        SystemTime::now(),
    );
    let index = shared.state.record(JournalEntry {
        method: method.to_string(),
        path: path.clone(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        operation: operation.unwrap_or("").to_string(),
        status: 0,
        signature_verified: verdict.is_ok(),
    });

    let response = respond(operation, plane, verdict, &body, &method, shared).await;
    let status = match &response {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    };
    shared.state.set_status(index, status);
    if shared.verbose {
        let _ = writeln!(
            std::io::stderr(),
            "{method} {path} {} -> {} ({:.1} ms)",
            operation.unwrap_or("-"),
            if status == 0 {
                "reset".to_string()
            } else {
                status.to_string()
            },
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    response
}

async fn respond(
    operation: Option<&'static str>,
    plane: Plane,
    verdict: Result<(), sigv4::Rejection>,
    body: &[u8],
    method: &Method,
    shared: &Shared,
) -> Result<HttpResponse, ResetConnection> {
    let Some(operation) = operation else {
        return Ok(error_response(
            404,
            "UnknownOperationException",
            "The requested operation does not exist on this endpoint.",
            plane == Plane::Control,
        ));
    };
    let control = api::is_control_operation(operation);
    // Faults come first, so that tests can make even unsigned requests misbehave.
    match shared.state.take_fault(operation) {
        Some(FaultKind::Reset) => return Err(ResetConnection),
        Some(FaultKind::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(FaultKind::Error {
            status,
            code,
            message,
        }) => return Ok(error_response(status, &code, &message, control)),
        Some(FaultKind::Malformed {
            status,
            content_type,
            body,
        }) => {
            return Ok(raw_response(status, &content_type, body.into_bytes()));
        }
        None => {}
    }
    if method != Method::POST {
        return Ok(error_response(
            405,
            "MethodNotAllowedException",
            "Only POST is supported.",
            control,
        ));
    }
    if let Err(rejection) = verdict {
        return Ok(error_response(
            rejection.status,
            rejection.code,
            &rejection.message,
            false,
        ));
    }
    let api = Api {
        state: &shared.state,
        region: &shared.region,
        control_url: &shared.control_url,
        storage_url: &shared.storage_url,
    };
    Ok(match api.call(operation, body) {
        Reply::Ok(Some(value)) => json_response(200, &value, &[]),
        Reply::Ok(None) => raw_response(200, "application/json", Vec::new()),
        Reply::Error {
            status,
            code,
            message,
        } => error_response(status, &code, &message, control),
    })
}

fn request_id() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn raw_response(status: u16, content_type: &str, body: Vec<u8>) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let headers = response.headers_mut();
    if let Ok(value) = content_type.parse() {
        headers.insert("content-type", value);
    }
    if let Ok(value) = request_id().parse() {
        headers.insert("x-amzn-requestid", value);
    }
    response
}

fn json_response(status: u16, value: &Value, extra: &[(&str, &str)]) -> HttpResponse {
    let mut response = raw_response(status, "application/json", value.to_string().into_bytes());
    for (name, value) in extra {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            value.parse(),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// An AWS error: `x-amzn-ErrorType`, `x-amzn-RequestId` and a JSON message (`Message` on the
/// control plane, `message` on the storage plane).
fn error_response(status: u16, code: &str, message: &str, control_plane: bool) -> HttpResponse {
    let key = if control_plane { "Message" } else { "message" };
    json_response(
        status,
        &json!({ key: message }),
        &[("x-amzn-errortype", code)],
    )
}

fn admin_route(method: &Method, route: &str, body: &[u8], shared: &Shared) -> HttpResponse {
    let ok = || json_response(200, &json!({}), &[]);
    let bad = |message: String| json_response(400, &json!({ "message": message }), &[]);
    match (method, route) {
        (&Method::POST, "faults") => match parse_fault(body) {
            Ok(fault) => {
                shared.state.inject(fault);
                ok()
            }
            Err(message) => bad(message),
        },
        (&Method::DELETE, "faults") => {
            shared.state.clear_faults();
            ok()
        }
        (&Method::GET, "requests") => {
            let journal = serde_json::to_value(shared.state.journal()).unwrap_or(Value::Null);
            json_response(200, &journal, &[])
        }
        (&Method::DELETE, "requests") => {
            shared.state.clear_journal();
            ok()
        }
        (&Method::POST, "channels") => {
            let input: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            match input.get("arn").and_then(Value::as_str) {
                Some(arn) if api::arn_is_valid(arn) => {
                    let storage = input
                        .get("storage_enabled")
                        .and_then(Value::as_bool)
                        .unwrap_or(true);
                    shared
                        .state
                        .insert_channel(api::seeded_channel(arn, storage));
                    ok()
                }
                _ => bad("expected {\"arn\": ARN, \"storage_enabled\": bool}".into()),
            }
        }
        _ => json_response(404, &json!({"message": "unknown admin route"}), &[]),
    }
}

/// `{"operation"?, "count"? (1), and one of "error": {status, code, message}, "delay_ms",
/// "reset": true, "malformed": {status, content_type, body}}`.
pub fn parse_fault(body: &[u8]) -> Result<Fault, String> {
    let input: Value =
        serde_json::from_slice(body).map_err(|e| format!("the fault is not valid JSON: {e}"))?;
    let operation = input
        .get("operation")
        .and_then(Value::as_str)
        .map(str::to_string);
    let count = match input.get("count") {
        None => 1,
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or("count must be a whole number")?,
    };
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let status = |v: &Value| {
        v.get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (100..=599).contains(s))
            .ok_or_else(|| "status must be an HTTP status code".to_string())
    };
    let kind = if let Some(error) = input.get("error") {
        FaultKind::Error {
            status: status(error)?,
            code: text(error, "code").ok_or("error.code is required")?,
            message: text(error, "message").unwrap_or_default(),
        }
    } else if let Some(ms) = input.get("delay_ms") {
        FaultKind::Delay(Duration::from_millis(
            ms.as_u64().ok_or("delay_ms must be a whole number")?,
        ))
    } else if input.get("reset").and_then(Value::as_bool) == Some(true) {
        FaultKind::Reset
    } else if let Some(malformed) = input.get("malformed") {
        FaultKind::Malformed {
            status: status(malformed)?,
            content_type: text(malformed, "content_type")
                .unwrap_or_else(|| "application/json".into()),
            body: text(malformed, "body").unwrap_or_default(),
        }
    } else {
        return Err("a fault needs one of error, delay_ms, reset or malformed".into());
    };
    Ok(Fault {
        operation,
        count,
        kind,
    })
}
