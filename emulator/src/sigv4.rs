//! SigV4 verification, written out from the specification so that it checks kvs's signer
//! (aws-sigv4) independently; the tests also verify requests the AWS CLI (botocore) signed.

use std::time::{Duration, SystemTime};

use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

/// What the verifier checks a request against.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    /// When set, requests must carry it in `X-Amz-Security-Token`.
    pub session_token: Option<&'a str>,
    pub region: &'a str,
    pub service: &'a str,
}

/// The request as received.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The path as sent on the request line, still percent-encoded.
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// Why a request was refused, with the status, code and message AWS gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);
const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const INVALID_TOKEN: &str = "The security token included in the request is invalid.";

/// Unreserved characters stay; everything else is percent-encoded (RFC 3986, as SigV4 wants).
const URI_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const PATH_ENCODE: &AsciiSet = &URI_ENCODE.remove(b'/');

fn rejection(status: u16, code: &'static str, message: impl Into<String>) -> Rejection {
    Rejection {
        status,
        code,
        message: message.into(),
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug)]
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, Rejection> {
    let incomplete = |what: &str| {
        rejection(
            403,
            "IncompleteSignatureException",
            format!("Authorization header requires '{what}' parameter. Authorization={value}"),
        )
    };
    let rest = value
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            rejection(
                403,
                "IncompleteSignatureException",
                format!("Unsupported authorization type: {value}"),
            )
        })?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential.ok_or_else(|| incomplete("Credential"))?;
    let signed_headers = signed_headers.ok_or_else(|| incomplete("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| incomplete("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[4] != "aws4_request" {
        return Err(rejection(
            403,
            "IncompleteSignatureException",
            format!("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"),
        ));
    }
    Ok(Authorization {
        access_key_id: scope[0],
        date: scope[1],
        region: scope[2],
        service: scope[3],
        signed_headers: signed_headers.split(';').collect(),
        signature,
    })
}

/// Check a request's signature as AWS does, at time `now`.
pub fn verify(request: &Request, expected: &Expected, now: SystemTime) -> Result<(), Rejection> {
    let Some(authorization) = header(request.headers, "authorization") else {
        return Err(rejection(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let auth = parse_authorization(authorization)?;
    if auth.access_key_id != expected.access_key_id {
        return Err(rejection(403, "UnrecognizedClientException", INVALID_TOKEN));
    }
    let token = header(request.headers, "x-amz-security-token");
    match (expected.session_token, token) {
        (Some(want), Some(got)) if want == got => {}
        (None, None) => {}
        _ => return Err(rejection(403, "UnrecognizedClientException", INVALID_TOKEN)),
    }
    let amz_date = header(request.headers, "x-amz-date").ok_or_else(|| {
        rejection(
            400,
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    let signed_at = parse_amz_date(amz_date).ok_or_else(|| {
        rejection(
            403,
            "IncompleteSignatureException",
            format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'."),
        )
    })?;
    check_skew(amz_date, signed_at, now)?;
    if !amz_date.starts_with(auth.date) || auth.date.len() != 8 {
        return Err(rejection(
            403,
            "InvalidSignatureException",
            format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
                auth.date,
                &amz_date[..amz_date.len().min(8)]
            ),
        ));
    }
    if auth.region != expected.region {
        return Err(rejection(
            403,
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid region, not '{}'. ",
                auth.region
            ),
        ));
    }
    if auth.service != expected.service {
        return Err(rejection(
            403,
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to correct service: '{}'. ",
                expected.service
            ),
        ));
    }
    if !auth.signed_headers.contains(&"host") {
        return Err(rejection(
            403,
            "InvalidSignatureException",
            "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }

    let canonical = canonical_request(request, &auth.signed_headers);
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = signing_key(
        expected.secret_access_key,
        auth.date,
        auth.region,
        auth.service,
    );
    let signature = hex::encode(hmac(&key, string_to_sign.as_bytes()));
    if !constant_time_eq(signature.as_bytes(), auth.signature.as_bytes()) {
        return Err(rejection(
            403,
            "InvalidSignatureException",
            SIGNATURE_MISMATCH,
        ));
    }
    check_payload_hash(request)
}

/// The signature covers `x-amz-content-sha256`, not the body, so a body changed after signing
/// still verifies unless the header is checked against the body actually received.
fn check_payload_hash(request: &Request) -> Result<(), Rejection> {
    let Some(claimed) = header(request.headers, "x-amz-content-sha256") else {
        return Ok(());
    };
    // UNSIGNED-PAYLOAD and the STREAMING-* forms promise nothing about the body as a whole.
    let is_hex_hash = claimed.len() == 64 && claimed.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex_hash {
        return Ok(());
    }
    let actual = hex::encode(Sha256::digest(request.body));
    if claimed.eq_ignore_ascii_case(&actual) {
        return Ok(());
    }
    Err(rejection(
        403,
        "InvalidSignatureException",
        format!(
            "The x-amz-content-sha256 header ({claimed}) does not match the SHA-256 of the request body ({actual}): the body was changed after signing."
        ),
    ))
}

fn check_skew(amz_date: &str, signed_at: SystemTime, now: SystemTime) -> Result<(), Rejection> {
    let stamp = |t: SystemTime| format_amz_date(t);
    if signed_at + MAX_SKEW < now {
        return Err(rejection(
            403,
            "InvalidSignatureException",
            format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - 5 min.)",
                stamp(now - MAX_SKEW),
                stamp(now)
            ),
        ));
    }
    if signed_at > now + MAX_SKEW {
        return Err(rejection(
            403,
            "InvalidSignatureException",
            format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + 5 min.)",
                stamp(now + MAX_SKEW),
                stamp(now)
            ),
        ));
    }
    Ok(())
}

/// The canonical request of SigV4: method, URI, query, signed headers, payload hash.
fn canonical_request(request: &Request, signed_headers: &[&str]) -> String {
    let mut canonical_headers = String::new();
    for name in signed_headers {
        let values: Vec<String> = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| collapse_whitespace(v))
            .collect();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    let payload_hash = match header(request.headers, "x-amz-content-sha256") {
        Some(hash) => hash.to_string(),
        None => hex::encode(Sha256::digest(request.body)),
    };
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        canonical_uri(request.path),
        canonical_query(request.query),
        canonical_headers,
        signed_headers.join(";"),
        payload_hash
    )
}

/// Services other than S3 encode the (already encoded) path once more.
fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    utf8_percent_encode(path, PATH_ENCODE).to_string()
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            let encode = |s: String| utf8_percent_encode(&s, URI_ENCODE).to_string();
            (encode(decode(k)), encode(decode(v)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn collapse_whitespace(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `20240102T030405Z`.
pub fn parse_amz_date(value: &str) -> Option<SystemTime> {
    let b = value.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u64> {
        let s = value.get(range)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hour, minute, second) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year as i64, month as i64, day as i64);
    let secs = u64::try_from(days).ok()? * 86_400 + hour * 3600 + minute * 60 + second;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

pub fn format_amz_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for stamp in ["19700101T000000Z", "20240229T235959Z", "20261125T052805Z"] {
            assert_eq!(format_amz_date(parse_amz_date(stamp).unwrap()), stamp);
        }
        assert_eq!(parse_amz_date("20241301T000000Z"), None);
        assert_eq!(parse_amz_date("2024-01-01T00:00:00Z"), None);
        assert_eq!(parse_amz_date("20240101T00000é"), None);
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query("x=a b+c&y"), "x=a%20b%20c&y=");
    }

    #[test]
    fn canonical_uri_encodes_the_encoded_path_again() {
        assert_eq!(canonical_uri("/joinStorageSession"), "/joinStorageSession");
        assert_eq!(canonical_uri("/a%20b"), "/a%2520b");
        assert_eq!(canonical_uri(""), "/");
    }
}
