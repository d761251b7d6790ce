//! SigV4 signing with the aws-sigv4 crate (signing name `kinesisvideo`).

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use crate::error::{Error, Result};

pub const SIGNING_NAME: &str = "kinesisvideo";

/// The headers to add to a POST of `body` to `url`, which already carries `content_type`:
/// `x-amz-date`, `authorization` and, with a session token, `x-amz-security-token`.
/// The signed headers are `content-type;host;x-amz-date[;x-amz-security-token]`, as botocore's.
pub fn signing_headers(
    url: &str,
    content_type: &str,
    body: &[u8],
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>> {
    let identity: Identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SIGNING_NAME)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| Error::other(format!("Unable to sign the request: {e}")))?
        .into();
    let request = SignableRequest::new(
        "POST",
        url,
        std::iter::once(("content-type", content_type)),
        SignableBody::Bytes(body),
    )
    .map_err(|e| Error::other(format!("Unable to sign the request to {url}: {e}")))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| Error::other(format!("Unable to sign the request to {url}: {e}")))?
        .into_parts();
    let (headers, _query) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| (h.name(), h.value().to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    const BODY: &str = r#"{"channelArn": "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo-channel/1234567890123"}"#;

    fn at_2026_11_24_noon() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_521_600)
    }

    fn signature(headers: &[(&str, String)]) -> String {
        let auth = &headers
            .iter()
            .find(|(n, _)| *n == "authorization")
            .unwrap()
            .1;
        auth.rsplit("Signature=").next().unwrap().to_string()
    }

    // Vectors computed with botocore's SigV4Auth for the same request.
    #[test]
    fn matches_botocore_without_and_with_a_session_token() {
        let url = "https://r-1234abcd.kinesisvideo.us-west-2.amazonaws.com/joinStorageSession";
        let plain = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        );
        let headers = signing_headers(
            url,
            "application/json",
            BODY.as_bytes(),
            &plain,
            "us-west-2",
            at_2026_11_24_noon(),
        )
        .unwrap();
        assert_eq!(
            signature(&headers),
            "bd16258c1b411d24e8d5becb3981a410bfb09f06ddc4f3f6ae2fea8aa9268688"
        );
        let with_token = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("FQoGZXIvYXdzEXAMPLETOKEN".into()),
            None,
            "test",
        );
        let headers = signing_headers(
            url,
            "application/json",
            BODY.as_bytes(),
            &with_token,
            "us-west-2",
            at_2026_11_24_noon(),
        )
        .unwrap();
        assert_eq!(
            signature(&headers),
            "c9400d2e3b1451f9458ac3a101fbda7dd33a4eeccc501fe55aa416f3c7def1fc"
        );
        assert!(headers
            .iter()
            .any(|(n, v)| *n == "x-amz-security-token" && v == "FQoGZXIvYXdzEXAMPLETOKEN"));
    }

    #[test]
    fn keeps_a_non_default_port_in_the_host() {
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        );
        let headers = signing_headers(
            "http://127.0.0.1:47911/joinStorageSession",
            "application/json",
            BODY.as_bytes(),
            &creds,
            "us-west-2",
            at_2026_11_24_noon(),
        )
        .unwrap();
        assert_eq!(
            signature(&headers),
            "929b49bffd5321595c90473cb46fda03c2738138b9b771d572e9da939951a8d8"
        );
    }
}
