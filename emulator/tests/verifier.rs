//! The SigV4 verifier against requests signed by other implementations: the AWS CLI
//! (captured by fixtures/aws-cli/capture.sh, checked at their own timestamps) and aws-sigv4.

use std::time::{Duration, SystemTime};

use kvs_emulator::sigv4::{parse_amz_date, verify, Expected, Rejection, Request};
use serde_json::Value;

struct Captured {
    fixture: Value,
    headers: Vec<(String, String)>,
}

fn captured(name: &str) -> Captured {
    let path = format!(
        "{}/tests/fixtures/aws-cli/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let headers = fixture["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_string(),
                h[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    Captured { fixture, headers }
}

impl Captured {
    fn signed_at(&self) -> SystemTime {
        let date = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-date"))
            .unwrap();
        parse_amz_date(&date.1).unwrap()
    }

    fn check(
        &self,
        headers: &[(String, String)],
        body: &str,
        now: SystemTime,
    ) -> Result<(), Rejection> {
        let f = &self.fixture;
        verify(
            &Request {
                method: f["request"]["method"].as_str().unwrap(),
                path: f["request"]["path"].as_str().unwrap(),
                query: "",
                headers,
                body: body.as_bytes(),
            },
            &Expected {
                access_key_id: f["access_key_id"].as_str().unwrap(),
                secret_access_key: f["secret_access_key"].as_str().unwrap(),
                session_token: f["session_token"].as_str(),
                region: f["region"].as_str().unwrap(),
                service: "kinesisvideo",
            },
            now,
        )
    }

    fn body(&self) -> &str {
        self.fixture["request"]["body"].as_str().unwrap()
    }
}

const FIXTURES: &[&str] = &[
    "join-storage-session",
    "join-storage-session-as-viewer",
    "get-signaling-channel-endpoint",
    "join-with-session-token",
];

fn flip_one_byte(text: &str, at: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn aws_cli_requests_verify_at_their_timestamp() {
    for name in FIXTURES {
        let c = captured(name);
        let now = c.signed_at() + Duration::from_secs(30);
        assert_eq!(c.check(&c.headers, c.body(), now), Ok(()), "{name}");
    }
}

#[test]
fn one_changed_byte_breaks_the_signature() {
    for name in FIXTURES {
        let c = captured(name);
        let now = c.signed_at();
        // The body.
        let body = flip_one_byte(c.body(), c.body().len() / 2);
        let err = c.check(&c.headers, &body, now).unwrap_err();
        assert_eq!(err.code, "InvalidSignatureException", "{name}");
        // A signed header.
        let mut headers = c.headers.clone();
        let content_type = headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .unwrap();
        content_type.1 = flip_one_byte(&content_type.1, 0);
        let err = c.check(&headers, c.body(), now).unwrap_err();
        assert_eq!(err.code, "InvalidSignatureException", "{name}");
        // The signature itself.
        let mut headers = c.headers.clone();
        let auth = headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .unwrap();
        let last = auth.1.len() - 1;
        auth.1 = flip_one_byte(&auth.1, last);
        let err = c.check(&headers, c.body(), now).unwrap_err();
        assert_eq!(err.status, 403);
        assert_eq!(err.code, "InvalidSignatureException", "{name}");
        assert!(err
            .message
            .starts_with("The request signature we calculated does not match"));
    }
}

#[test]
fn requests_outside_the_skew_window_are_refused_with_the_aws_message() {
    let c = captured("join-storage-session");
    let signed = c.signed_at();
    let late = c
        .check(&c.headers, c.body(), signed + Duration::from_secs(10 * 60))
        .unwrap_err();
    assert_eq!(late.code, "InvalidSignatureException");
    assert!(
        late.message.starts_with("Signature expired: "),
        "{}",
        late.message
    );
    assert!(late.message.ends_with(" - 5 min.)"));
    let early = c
        .check(&c.headers, c.body(), signed - Duration::from_secs(10 * 60))
        .unwrap_err();
    assert!(early.message.starts_with("Signature not yet current: "));
    // Inside the window either way.
    for offset in [Duration::from_secs(4 * 60), Duration::ZERO] {
        assert!(c.check(&c.headers, c.body(), signed + offset).is_ok());
        assert!(c.check(&c.headers, c.body(), signed - offset).is_ok());
    }
}

#[test]
fn keys_and_tokens_are_checked() {
    let c = captured("join-with-session-token");
    let now = c.signed_at();
    let mut headers = c.headers.clone();
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case("x-amz-security-token"));
    let err = c.check(&headers, c.body(), now).unwrap_err();
    assert_eq!(err.code, "UnrecognizedClientException");

    // A token the emulator was not configured with is refused too.
    let c = captured("join-storage-session");
    let mut headers = c.headers.clone();
    headers.push(("X-Amz-Security-Token".into(), "stray".into()));
    let err = c.check(&headers, c.body(), c.signed_at()).unwrap_err();
    assert_eq!(err.code, "UnrecognizedClientException");

    let unsigned: Vec<(String, String)> = c
        .headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
        .cloned()
        .collect();
    let err = c.check(&unsigned, c.body(), c.signed_at()).unwrap_err();
    assert_eq!(
        (err.status, err.code, err.message.as_str()),
        (
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token"
        )
    );
}

/// Headers aws-sigv4 adds to a POST of `body` to `url` (host 127.0.0.1:9, JSON content type),
/// followed by those two base headers.
fn aws_sigv4_headers(
    credentials: aws_credential_types::Credentials,
    region: &str,
    settings: aws_sigv4::http_request::SigningSettings,
    now: SystemTime,
    url: &str,
    body: &[u8],
) -> Vec<(String, String)> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest};
    use aws_sigv4::sign::v4;

    let identity = credentials.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("kinesisvideo")
        .time(now)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let base = [
        ("host", "127.0.0.1:9"),
        ("content-type", "application/json"),
    ];
    let signable =
        SignableRequest::new("POST", url, base.iter().copied(), SignableBody::Bytes(body)).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut headers: Vec<(String, String)> = base
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    for (name, value) in instructions.headers() {
        headers.push((name.to_string(), value.to_string()));
    }
    headers
}

#[test]
fn aws_sigv4_signed_requests_verify() {
    use aws_credential_types::Credentials;
    use aws_sigv4::http_request::SigningSettings;

    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    let body = br#"{"channelArn": "arn:aws:kinesisvideo:eu-west-1:1:channel/x/1"}"#;
    let headers = aws_sigv4_headers(
        Credentials::new("AKIDRUST", "rust-secret", Some("tok".into()), None, "test"),
        "eu-west-1",
        SigningSettings::default(),
        now,
        "http://127.0.0.1:9/joinStorageSession?b=2&a=1",
        body,
    );
    let expected = Expected {
        access_key_id: "AKIDRUST",
        secret_access_key: "rust-secret",
        session_token: Some("tok"),
        region: "eu-west-1",
        service: "kinesisvideo",
    };
    let request = Request {
        method: "POST",
        path: "/joinStorageSession",
        query: "b=2&a=1",
        headers: &headers,
        body,
    };
    assert_eq!(verify(&request, &expected, now), Ok(()));
    let wrong_region = Expected {
        region: "us-east-1",
        ..expected.clone()
    };
    assert_eq!(
        verify(&request, &wrong_region, now).unwrap_err().code,
        "InvalidSignatureException"
    );
    let wrong_secret = Expected {
        secret_access_key: "other",
        ..expected
    };
    assert_eq!(
        verify(&request, &wrong_secret, now).unwrap_err().code,
        "InvalidSignatureException"
    );
}

#[test]
fn a_body_changed_after_signing_is_refused_when_its_hash_header_was_signed() {
    use aws_credential_types::Credentials;
    use aws_sigv4::http_request::{PayloadChecksumKind, SigningSettings};

    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let body = br#"{"channelArn": "arn:aws:kinesisvideo:us-west-2:1:channel/x/1"}"#;
    let headers = aws_sigv4_headers(
        Credentials::new("AKID", "secret", None, None, "test"),
        "us-west-2",
        settings,
        now,
        "http://127.0.0.1:9/joinStorageSession",
        body,
    );
    assert!(headers.iter().any(|(n, _)| n == "x-amz-content-sha256"));
    let expected = Expected {
        access_key_id: "AKID",
        secret_access_key: "secret",
        session_token: None,
        region: "us-west-2",
        service: "kinesisvideo",
    };
    let request = |body: &[u8], headers: &[(String, String)]| {
        verify(
            &Request {
                method: "POST",
                path: "/joinStorageSession",
                query: "",
                headers,
                body,
            },
            &expected,
            now,
        )
    };
    assert_eq!(request(body, &headers), Ok(()));

    let tampered = br#"{"channelArn": "arn:aws:kinesisvideo:us-west-2:1:channel/y/1"}"#;
    let err = request(tampered, &headers).unwrap_err();
    assert_eq!((err.status, err.code), (403, "InvalidSignatureException"));
    assert!(
        err.message.contains("x-amz-content-sha256") && err.message.contains("body"),
        "{}",
        err.message
    );

    // UNSIGNED-PAYLOAD makes no promise about the body, so the signature alone decides.
    let mut unsigned_payload = headers.clone();
    for (name, value) in unsigned_payload.iter_mut() {
        if name == "x-amz-content-sha256" {
            *value = "UNSIGNED-PAYLOAD".into();
        }
    }
    let err = request(body, &unsigned_payload).unwrap_err();
    assert!(err
        .message
        .starts_with("The request signature we calculated"));
}
