//! Error responses and failures as the AWS CLI reports them: botocore's rest-json error
//! parsing and its message formats, so scripts that match on them keep working.

use serde_json::Value;

/// A parsed error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

/// Parse an error response as botocore's rest-json parser does.
pub fn parse_error(status: u16, headers: &[(String, String)], body: &[u8]) -> ServiceError {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let request_id = header("x-amzn-requestid").map(str::to_string);
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();

    // A bare 5xx (empty or HTML body) is described by its status alone.
    if status >= 500 && (trimmed.is_empty() || trimmed.as_bytes().starts_with(b"<html>")) {
        return ServiceError {
            status,
            code: status.to_string(),
            message: reason_phrase(status).to_string(),
            request_id,
        };
    }

    let fields = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Some(map),
        _ if trimmed.is_empty() => Some(Default::default()),
        _ => None,
    };
    let (message, body_code) = match &fields {
        // Not JSON: the whole body is the message.
        None => (text.into_owned(), None),
        Some(map) => {
            let message = first_of(map, &["message", "Message"]).unwrap_or_default();
            let code = first_of(map, &["code", "Code"]).or_else(|| first_of(map, &["__type"]));
            (message, code)
        }
    };
    let raw_code = header("x-amzn-errortype")
        .map(str::to_string)
        .or(body_code)
        .filter(|c| !c.is_empty());
    let code = match raw_code {
        Some(code) => clean_code(&code).to_string(),
        None => status.to_string(),
    };
    ServiceError {
        status,
        code,
        message,
        request_id,
    }
}

/// The first of `keys` present, as text (Python's `str()` for non-strings).
fn first_of(map: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| {
        map.get(*k).map(|v| match v {
            Value::String(s) => s.clone(),
            Value::Null => "None".to_string(),
            other => other.to_string(),
        })
    })
}

/// `Prefix#Code:http://...` becomes `Code`.
fn clean_code(code: &str) -> &str {
    let before_colon = code.split(':').next().unwrap_or(code);
    before_colon.rsplit('#').next().unwrap_or(before_colon)
}

/// Python's `http.client.responses` for the 5xx statuses (509 has none there).
fn reason_phrase(status: u16) -> &'static str {
    match status {
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "",
    }
}

/// `An error occurred (CODE) when calling the OP operation: MESSAGE`, with
/// ` (reached max retries: N)` when the attempts ran out on a retryable error.
pub fn client_error_message(error: &ServiceError, operation: &str, retries: Option<u32>) -> String {
    let retry_info = match retries {
        Some(n) => format!(" (reached max retries: {n})"),
        None => String::new(),
    };
    format!(
        "An error occurred ({}) when calling the {operation} operation{retry_info}: {}",
        error.code, error.message
    )
}

pub fn connect_error_message(url: &str) -> String {
    format!("Could not connect to the endpoint URL: \"{url}\"")
}

pub fn connect_timeout_message(url: &str) -> String {
    format!("Connect timeout on endpoint URL: \"{url}\"")
}

pub fn read_timeout_message(url: &str) -> String {
    format!("Read timeout on endpoint URL: \"{url}\"")
}

pub fn connection_closed_message(url: &str) -> String {
    format!(
        "Connection was closed before we received a valid response from endpoint URL: \"{url}\"."
    )
}

pub fn tls_error_message(url: &str, cause: &str) -> String {
    format!("SSL validation failed for {url} {cause}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, headers: &[(&str, &str)], body: &str) -> ServiceError {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        parse_error(status, &headers, body.as_bytes())
    }

    fn code_and_message(error: ServiceError) -> (String, String) {
        (error.code, error.message)
    }

    #[test]
    fn codes_and_messages_are_found_where_botocore_looks() {
        type Headers<'a> = &'a [(&'a str, &'a str)];
        // (status, headers, body, expected code, expected message)
        let cases: &[(u16, Headers, &str, &str, &str)] = &[
            (
                404,
                &[("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.kinesisvideo/")],
                r#"{"message": "The requested channel was not found"}"#,
                "ResourceNotFoundException",
                "The requested channel was not found",
            ),
            (
                400,
                &[],
                r#"{"__type": "com.amazonaws.kinesisvideo#InvalidArgumentException", "Message": "bad arn"}"#,
                "InvalidArgumentException",
                "bad arn",
            ),
            (400, &[], r#"{"Code": "SomeCode", "Message": "capital M"}"#, "SomeCode", "capital M"),
            (400, &[], r#"{"code": "lower", "Code": "upper"}"#, "lower", ""),
            // The header wins over the body.
            (
                401,
                &[("X-AMZN-ERRORTYPE", "AccessDeniedException")],
                r#"{"code": "Other", "Message": "User: arn:aws:iam::123:user/x is not authorized"}"#,
                "AccessDeniedException",
                "User: arn:aws:iam::123:user/x is not authorized",
            ),
            (400, &[], "", "400", ""),
            (404, &[], "not json at all", "404", "not json at all"),
            (400, &[], "[1, 2]", "400", "[1, 2]"),
            (500, &[], "", "500", "Internal Server Error"),
            (502, &[], "   ", "502", "Bad Gateway"),
            (503, &[], "<html><body>busy</body></html>", "503", "Service Unavailable"),
            (504, &[], "", "504", "Gateway Timeout"),
            (509, &[], "", "509", ""),
            (
                500,
                &[("x-amzn-ErrorType", "InternalFailure")],
                r#"{"message": "internal"}"#,
                "InternalFailure",
                "internal",
            ),
            (400, &[], r#"{"message": 42}"#, "400", "42"),
        ];
        for (status, headers, body, code, message) in cases {
            assert_eq!(
                code_and_message(parse(*status, headers, body)),
                (code.to_string(), message.to_string()),
                "{status} {headers:?} {body}"
            );
        }
    }

    #[test]
    fn the_request_id_is_kept() {
        let error = parse(
            403,
            &[("x-amzn-RequestId", "abc-123")],
            r#"{"message": "m"}"#,
        );
        assert_eq!(error.request_id.as_deref(), Some("abc-123"));
    }

    #[test]
    fn messages_match_the_aws_cli() {
        let error = parse(
            500,
            &[("x-amzn-ErrorType", "InternalFailure")],
            r#"{"message": "internal"}"#,
        );
        assert_eq!(
            client_error_message(&error, "JoinStorageSession", Some(4)),
            "An error occurred (InternalFailure) when calling the JoinStorageSession operation (reached max retries: 4): internal"
        );
        assert_eq!(
            client_error_message(&parse(400, &[], ""), "JoinStorageSession", None),
            "An error occurred (400) when calling the JoinStorageSession operation: "
        );
        assert_eq!(
            connection_closed_message("http://h/op"),
            "Connection was closed before we received a valid response from endpoint URL: \"http://h/op\"."
        );
    }
}
