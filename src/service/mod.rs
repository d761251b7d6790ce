//! The Kinesis Video calls: GetSignalingChannelEndpoint on the control plane, then the
//! operation on the WebRTC storage endpoint; signing, retries and the AWS CLI's error messages.

pub mod error;

use std::time::{Instant, SystemTime};

use aws_credential_types::Credentials;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::http::client::{classify, Failure};
use crate::http::debug::DebugLog;
use crate::http::retry::{self, ClientRateLimiter, Outcome, RetryMode, RetryQuota};
use crate::http::sign::signing_headers;
use crate::input::Input;
use crate::operations::Role;
use error::{
    client_error_message, connect_error_message, connect_timeout_message,
    connection_closed_message, parse_error, read_timeout_message, tls_error_message,
};

const CONTENT_TYPE: &str = "application/json";

/// How calls are retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub mode: RetryMode,
    pub max_attempts: u32,
    /// Multiplies every backoff delay (1.0 in normal use; tests set 0).
    pub backoff_scale: f64,
}

/// Everything a call needs, set up once per run.
pub struct Caller<'a, 'w> {
    pub client: reqwest::Client,
    /// None sends unsigned requests (`--no-sign-request`).
    pub credentials: Option<Credentials>,
    pub region: String,
    pub retry: RetryPolicy,
    pub log: &'a DebugLog<'w>,
    /// Under `--no-verify-ssl`: warn once per host, as urllib3 does for the AWS CLI.
    pub warn_unverified_tls: bool,
    warned_hosts: Vec<String>,
    quota: RetryQuota,
    limiter: Option<ClientRateLimiter>,
    started: Instant,
}

/// A 2xx response: its body parsed as JSON (`{}` when empty).
#[derive(Debug)]
pub struct Response {
    pub body: Value,
}

impl<'a, 'w> Caller<'a, 'w> {
    pub fn new(
        client: reqwest::Client,
        credentials: Option<Credentials>,
        region: String,
        retry: RetryPolicy,
        log: &'a DebugLog<'w>,
    ) -> Self {
        let limiter = (retry.mode == RetryMode::Adaptive).then(ClientRateLimiter::new);
        Caller {
            client,
            credentials,
            region,
            retry,
            log,
            warn_unverified_tls: false,
            warned_hosts: Vec::new(),
            quota: RetryQuota::new(),
            limiter,
            started: Instant::now(),
        }
    }

    /// GetSignalingChannelEndpoint: the channel's WEBRTC endpoint.
    pub async fn discover_webrtc_endpoint(
        &mut self,
        control_plane: &str,
        channel_arn: &str,
        role: Role,
    ) -> Result<String> {
        let body = json!({
            "ChannelARN": channel_arn,
            "SingleMasterChannelEndpointConfiguration": {
                "Protocols": ["WEBRTC"],
                "Role": role.as_str(),
            }
        });
        let url = join_url(control_plane, "/getSignalingChannelEndpoint");
        let response = self
            .call("GetSignalingChannelEndpoint", &url, &body)
            .await?;
        let endpoint = response
            .body
            .get("ResourceEndpointList")
            .and_then(Value::as_array)
            .and_then(|list| {
                list.iter()
                    .find(|e| e.get("Protocol").and_then(Value::as_str) == Some("WEBRTC"))
            })
            .and_then(|e| e.get("ResourceEndpoint"))
            .and_then(Value::as_str)
            .filter(|e| e.starts_with("https://") || e.starts_with("http://"));
        match endpoint {
            Some(endpoint) => {
                self.log
                    .line(&format!("WebRTC endpoint from discovery: {endpoint}"));
                Ok(endpoint.to_string())
            }
            None => Err(Error::other(format!(
                "GetSignalingChannelEndpoint returned no WEBRTC endpoint for {channel_arn} \
                 (response: {})",
                response.body
            ))),
        }
    }

    /// The operation itself on the WebRTC storage endpoint.
    pub async fn invoke(&mut self, storage_endpoint: &str, input: &Input) -> Result<Response> {
        let mut body = serde_json::Map::new();
        for (name, value) in &input.values {
            body.insert((*name).to_string(), Value::String(value.clone()));
        }
        let url = join_url(storage_endpoint, input.operation.http_path);
        self.call(input.operation.name, &url, &Value::Object(body))
            .await
    }

    /// One operation with retries: sign each attempt afresh, classify each failure.
    async fn call(&mut self, operation: &str, url: &str, body: &Value) -> Result<Response> {
        let body = python_json(body);
        self.warn_if_unverified(url);
        let invocation_id = invocation_id();
        let max = self.retry.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            if let Some(limiter) = self.limiter.as_mut() {
                let wait = limiter.delay_before_send(self.started.elapsed().as_secs_f64());
                if !wait.is_zero() {
                    self.log
                        .line(&format!("client-side rate limit: waiting {wait:?}"));
                    tokio::time::sleep(wait).await;
                }
            }
            let request_header = if attempt == 1 {
                "attempt=1".to_string()
            } else {
                format!("attempt={attempt}; max={max}")
            };
            let mut headers: Vec<(&str, String)> = vec![("content-type", CONTENT_TYPE.into())];
            if let Some(credentials) = &self.credentials {
                headers.extend(signing_headers(
                    url,
                    CONTENT_TYPE,
                    body.as_bytes(),
                    credentials,
                    &self.region,
                    SystemTime::now(),
                )?);
            }
            headers.push(("amz-sdk-invocation-id", invocation_id.clone()));
            headers.push(("amz-sdk-request", request_header));
            self.log.request(operation, attempt, url, &headers, &body);

            let sent = Instant::now();
            let mut request = self.client.post(url).body(body.clone());
            for (name, value) in &headers {
                request = request.header(*name, value);
            }
            let result = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let response_headers: Vec<(String, String)> = response
                        .headers()
                        .iter()
                        .map(|(n, v)| {
                            (
                                n.as_str().to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect();
                    match response.bytes().await {
                        Ok(bytes) => Ok((status, response_headers, bytes)),
                        Err(e) => Err(classify(&e)),
                    }
                }
                Err(e) => Err(classify(&e)),
            };
            let elapsed = sent.elapsed();

            let (retryable, outcome_error) = match result {
                Ok((status, response_headers, bytes)) => {
                    self.log
                        .response(status, elapsed, &response_headers, &bytes);
                    if (200..300).contains(&status) {
                        self.quota.release_on_success();
                        if let Some(limiter) = self.limiter.as_mut() {
                            limiter.on_response(self.started.elapsed().as_secs_f64(), false);
                        }
                        return Ok(Response {
                            body: parse_success_body(operation, &bytes)?,
                        });
                    }
                    let parsed = parse_error(status, &response_headers, &bytes);
                    let outcome = Outcome::Response {
                        status,
                        code: Some(&parsed.code),
                        message: Some(&parsed.message),
                    };
                    let retryable = retry::is_retryable(self.retry.mode, &outcome);
                    if let Some(limiter) = self.limiter.as_mut() {
                        limiter.on_response(
                            self.started.elapsed().as_secs_f64(),
                            retry::is_throttling(&outcome),
                        );
                    }
                    let can_retry = retryable && attempt < max && self.quota.acquire(&outcome);
                    if !can_retry {
                        let retries = (retryable && attempt >= max).then(|| attempt - 1);
                        return Err(Error::service(client_error_message(
                            &parsed, operation, retries,
                        )));
                    }
                    (true, None)
                }
                Err(failure) => {
                    self.log.line(&format!(
                        "attempt {attempt} failed after {elapsed:?}: {failure:?}"
                    ));
                    let outcome = failure_outcome(&failure);
                    let retryable = retry::is_retryable(self.retry.mode, &outcome);
                    let can_retry = retryable && attempt < max && self.quota.acquire(&outcome);
                    (can_retry, Some(failure_error(url, &failure)))
                }
            };
            if !retryable {
                return Err(outcome_error.expect("non-retryable outcomes carry their error"));
            }
            let delay = retry::backoff(self.retry.mode, attempt, fastrand::f64())
                .mul_f64(self.retry.backoff_scale);
            self.log.line(&format!(
                "retrying {operation} (attempt {} of {max}) in {delay:?}",
                attempt + 1
            ));
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

impl Caller<'_, '_> {
    fn warn_if_unverified(&mut self, url: &str) {
        let Some(rest) = url.strip_prefix("https://") else {
            return;
        };
        if !self.warn_unverified_tls {
            return;
        }
        let authority = rest.split(['/', '?']).next().unwrap_or(rest);
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
            _ => authority,
        };
        if self.warned_hosts.iter().any(|h| h == host) {
            return;
        }
        self.warned_hosts.push(host.to_string());
        self.log.warn(&format!(
            "InsecureRequestWarning: Unverified HTTPS request is being made to host '{host}'. \
             Adding certificate verification is strongly advised."
        ));
    }
}

fn failure_outcome(failure: &Failure) -> Outcome<'static> {
    match failure {
        Failure::Connect | Failure::Other(_) => Outcome::ConnectError,
        Failure::ConnectTimeout | Failure::ReadTimeout => Outcome::Timeout,
        Failure::Closed => Outcome::ConnectionClosed,
        Failure::Tls(_) => Outcome::Tls,
    }
}

fn failure_error(url: &str, failure: &Failure) -> Error {
    Error::other(match failure {
        Failure::Connect => connect_error_message(url),
        Failure::ConnectTimeout => connect_timeout_message(url),
        Failure::ReadTimeout => read_timeout_message(url),
        Failure::Closed => connection_closed_message(url),
        Failure::Tls(cause) => tls_error_message(url, cause),
        Failure::Other(cause) => {
            format!("An HTTP Client raised an unhandled exception: {cause}")
        }
    })
}

/// A 2xx body: empty means `{}`; anything else must be a JSON object.
fn parse_success_body(operation: &str, bytes: &[u8]) -> Result<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(Error::other(format!(
            "Unable to parse the {operation} response: expected a JSON object, got {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        ))),
    }
}

/// The request URL: the endpoint's path with the operation path appended, its query kept.
pub fn join_url(endpoint: &str, path: &str) -> String {
    let (base, query) = match endpoint.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (endpoint, None),
    };
    let mut url = base.trim_end_matches('/').to_string();
    url.push_str(path);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// A random UUID4 for `amz-sdk-invocation-id`, the same on every attempt of one call.
fn invocation_id() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// Serialise as Python's `json.dumps` does by default (`", "` and `": "` separators, non-ASCII
/// as `\uXXXX`), so kvs sends the same bytes as the AWS CLI.
pub fn python_json(value: &Value) -> String {
    let mut out = String::new();
    write_python_json(value, &mut out);
    out
}

fn write_python_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_python_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python_string(key, out);
                out.push_str(": ");
                write_python_json(item, out);
            }
            out.push('}');
        }
    }
}

fn write_python_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_byte_identical_to_the_aws_cli() {
        let body = json!({"channelArn": "arn-é-☃-\"q\"-\\back/slash"});
        assert_eq!(
            python_json(&body),
            r#"{"channelArn": "arn-\u00e9-\u2603-\"q\"-\\back/slash"}"#
        );
        assert_eq!(
            python_json(&json!({"channelArn": "tab\there\nnl"})),
            r#"{"channelArn": "tab\there\nnl"}"#
        );
        let discovery = json!({
            "ChannelARN": "a",
            "SingleMasterChannelEndpointConfiguration": {"Protocols": ["WEBRTC"], "Role": "MASTER"}
        });
        assert_eq!(
            python_json(&discovery),
            r#"{"ChannelARN": "a", "SingleMasterChannelEndpointConfiguration": {"Protocols": ["WEBRTC"], "Role": "MASTER"}}"#
        );
        assert_eq!(python_json(&json!({"x": "😀"})), r#"{"x": "\ud83d\ude00"}"#);
    }

    #[test]
    fn urls_join_like_botocore() {
        assert_eq!(join_url("http://h/a/b/", "/op"), "http://h/a/b/op");
        assert_eq!(join_url("http://h/", "/op"), "http://h/op");
        assert_eq!(join_url("http://h", "/op"), "http://h/op");
        assert_eq!(join_url("http://h/?x=1", "/op"), "http://h/op?x=1");
    }

    #[test]
    fn invocation_ids_look_like_uuid4() {
        let id = invocation_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!("89ab".contains(&id[19..20]));
    }
}
