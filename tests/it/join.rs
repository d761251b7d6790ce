//! The main job against kvs-emulator on 127.0.0.1: discovery, the join, every failure path.

use std::time::{Duration, Instant};

use kvs_emulator::{Emulator, Fault, FaultKind, JournalEntry, Options, Tls};

use crate::support::{kvs, Kvs, ARN};

const SECRET: &str = "test-secret-key-do-not-print";
const TOKEN: &str = "test-session-token-do-not-print";

fn start(options: Options) -> Emulator {
    Emulator::start(Options {
        channels: vec![ARN.to_string()],
        access_key_id: "AKIDTEST".into(),
        secret_access_key: SECRET.into(),
        ..options
    })
    .expect("the emulator starts")
}

fn emulator() -> Emulator {
    start(Options::default())
}

/// kvs pointed at the emulator's control plane, with its credentials and no backoff waits.
fn kvs_at(emulator: &Emulator, args: &[&str]) -> Kvs {
    kvs(args)
        .env("AWS_ENDPOINT_URL", &emulator.control_url())
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("KVS_TEST_BACKOFF_SCALE", "0")
}

fn join(emulator: &Emulator) -> Kvs {
    kvs_at(emulator, &["join-storage-session", "--channel-arn", ARN])
}

fn operations(journal: &[JournalEntry]) -> Vec<&str> {
    journal.iter().map(|e| e.operation.as_str()).collect()
}

fn fail_next(
    emulator: &Emulator,
    operation: &str,
    count: u32,
    status: u16,
    code: &str,
    message: &str,
) {
    emulator.inject(Fault {
        operation: Some(operation.to_string()),
        count,
        kind: FaultKind::Error {
            status,
            code: code.to_string(),
            message: message.to_string(),
        },
    });
}

#[test]
fn discovery_then_join_both_signed() {
    let emu = emulator();
    let out = join(&emu).run();
    out.assert_ok();
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "");
    let journal = emu.journal();
    assert_eq!(
        operations(&journal),
        ["GetSignalingChannelEndpoint", "JoinStorageSession"]
    );
    assert!(journal
        .iter()
        .all(|e| e.signature_verified && e.status == 200));
    assert_eq!(
        journal[0].body,
        format!(
            r#"{{"ChannelARN": "{ARN}", "SingleMasterChannelEndpointConfiguration": {{"Protocols": ["WEBRTC"], "Role": "MASTER"}}}}"#
        )
    );
    assert_eq!(journal[1].body, format!(r#"{{"channelArn": "{ARN}"}}"#));
    assert_eq!(journal[1].path, "/joinStorageSession");
    assert_eq!(journal[1].header("content-type"), Some("application/json"));
    let user_agent = journal[1].header("user-agent").unwrap();
    assert!(user_agent.starts_with("kvs/"), "{user_agent}");
    // The two calls went to two different listeners.
    assert_ne!(emu.control_url(), emu.storage_url());
}

/// The signed-header names of an `Authorization` header.
fn signed_headers(authorization: &str) -> &str {
    authorization
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or("")
}

/// A request the AWS CLI sent for the same input (tests/fixtures/aws-requests/regenerate.sh).
fn aws_cli_request(name: &str) -> serde_json::Value {
    let text = crate::support::fixture(&format!("aws-requests/{name}.json"));
    serde_json::from_str(&text).expect("valid JSON")
}

fn assert_same_request(kvs_request: &JournalEntry, aws_request: &serde_json::Value) {
    assert_eq!(kvs_request.method, aws_request["method"]);
    assert_eq!(kvs_request.path, aws_request["path"]);
    assert_eq!(kvs_request.body, aws_request["body"]);
    let aws_authorization = aws_request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "authorization")
        .and_then(|h| h[1].as_str())
        .unwrap();
    assert_eq!(
        signed_headers(kvs_request.header("authorization").unwrap()),
        signed_headers(aws_authorization)
    );
}

#[test]
fn requests_match_what_the_aws_cli_sends() {
    let emu = emulator();
    join(&emu).run().assert_ok();
    let journal = emu.journal();
    assert_same_request(
        &journal[0],
        &aws_cli_request("get-signaling-channel-endpoint"),
    );
    assert_same_request(&journal[1], &aws_cli_request("join-storage-session"));

    let emu = emulator();
    kvs_at(
        &emu,
        &[
            "join-storage-session-as-viewer",
            "--channel-arn",
            ARN,
            "--client-id",
            "viewer-1",
        ],
    )
    .run()
    .assert_ok();
    assert_same_request(
        &emu.journal()[1],
        &aws_cli_request("join-storage-session-as-viewer"),
    );
}

#[test]
fn endpoint_url_skips_discovery() {
    let emu = emulator();
    let out = join(&emu)
        .arg("--endpoint-url")
        .arg(&emu.storage_url())
        .run();
    out.assert_ok();
    assert_eq!(operations(&emu.journal()), ["JoinStorageSession"]);
}

#[test]
fn viewer_discovers_as_viewer_and_sends_its_client_id() {
    let emu = emulator();
    let out = kvs_at(
        &emu,
        &[
            "join-storage-session-as-viewer",
            "--channel-arn",
            ARN,
            "--client-id",
            "viewer-1",
        ],
    )
    .run();
    out.assert_ok();
    let journal = emu.journal();
    assert_eq!(
        operations(&journal),
        ["GetSignalingChannelEndpoint", "JoinStorageSessionAsViewer"]
    );
    assert!(journal[0].body.contains(r#""Role": "VIEWER""#));
    assert_eq!(
        journal[1].body,
        format!(r#"{{"channelArn": "{ARN}", "clientId": "viewer-1"}}"#)
    );
}

#[test]
fn query_applies_to_the_empty_response() {
    let emu = emulator();
    let out = join(&emu).arg("--query").arg("`{\"joined\": true}`").run();
    out.assert_ok();
    assert_eq!(out.stdout, "{\n    \"joined\": true\n}\n");
}

#[test]
fn unknown_channel_is_a_service_error() {
    let emu = emulator();
    let unknown = ARN.replace("demo", "nope");
    let out = kvs_at(&emu, &["join-storage-session", "--channel-arn", &unknown]).run();
    out.assert_code(254);
    assert!(
        out.stderr.starts_with(
            "\nAn error occurred (ResourceNotFoundException) when calling the \
             GetSignalingChannelEndpoint operation: "
        ),
        "{out:?}"
    );
    // Without discovery, the storage endpoint reports it for JoinStorageSession.
    let out = kvs_at(
        &emu,
        &[
            "join-storage-session",
            "--channel-arn",
            &unknown,
            "--endpoint-url",
            &emu.storage_url(),
        ],
    )
    .run();
    out.assert_code(254);
    assert!(out.stderr.starts_with(
        "\nAn error occurred (ResourceNotFoundException) when calling the JoinStorageSession \
         operation: "
    ));
}

#[test]
fn each_modelled_service_error_is_reported_with_exit_254() {
    for (status, code) in [
        (403, "AccessDeniedException"),
        (400, "InvalidArgumentException"),
        (404, "ResourceNotFoundException"),
    ] {
        let emu = emulator();
        fail_next(&emu, "JoinStorageSession", 1, status, code, "it says no");
        let out = join(&emu).run();
        out.assert_code(254);
        assert_eq!(
            out.stderr,
            format!(
                "\nAn error occurred ({code}) when calling the JoinStorageSession operation: it says no\n"
            )
        );
        // Not retried.
        assert_eq!(emu.journal().len(), 2, "{code}");
    }
}

#[test]
fn wrong_secret_is_an_invalid_signature() {
    let emu = emulator();
    let out = join(&emu).env("AWS_SECRET_ACCESS_KEY", "wrong").run();
    out.assert_code(254);
    assert!(out.stderr.starts_with(
        "\nAn error occurred (InvalidSignatureException) when calling the \
         GetSignalingChannelEndpoint operation: The request signature we calculated does not \
         match the signature you provided."
    ));
    assert!(!emu.journal()[0].signature_verified);
}

#[test]
fn unknown_access_key_is_unrecognized() {
    let emu = emulator();
    let out = join(&emu).env("AWS_ACCESS_KEY_ID", "AKIDNOBODY").run();
    out.assert_code(254);
    assert!(
        out.stderr.contains("(UnrecognizedClientException)"),
        "{out:?}"
    );
}

#[test]
fn a_500_is_retried_once_then_succeeds() {
    let emu = emulator();
    fail_next(
        &emu,
        "JoinStorageSession",
        1,
        500,
        "InternalFailure",
        "boom",
    );
    let out = join(&emu).run();
    out.assert_ok();
    let journal = emu.journal();
    assert_eq!(
        operations(&journal),
        [
            "GetSignalingChannelEndpoint",
            "JoinStorageSession",
            "JoinStorageSession"
        ]
    );
    assert_eq!(journal[1].header("amz-sdk-request"), Some("attempt=1"));
    assert_eq!(
        journal[2].header("amz-sdk-request"),
        Some("attempt=2; max=3")
    );
    assert_eq!(
        journal[1].header("amz-sdk-invocation-id"),
        journal[2].header("amz-sdk-invocation-id")
    );
}

#[test]
fn a_burst_of_503_exhausts_the_attempts() {
    let emu = emulator();
    fail_next(
        &emu,
        "JoinStorageSession",
        10,
        503,
        "ServiceUnavailable",
        "busy",
    );
    let out = join(&emu).run();
    out.assert_code(254);
    assert_eq!(
        out.stderr,
        "\nAn error occurred (ServiceUnavailable) when calling the JoinStorageSession operation \
         (reached max retries: 2): busy\n"
    );
    assert_eq!(
        operations(&emu.journal())
            .iter()
            .filter(|op| **op == "JoinStorageSession")
            .count(),
        3
    );
    // legacy mode makes five attempts; max_attempts overrides both.
    let emu = emulator();
    fail_next(
        &emu,
        "JoinStorageSession",
        10,
        503,
        "ServiceUnavailable",
        "busy",
    );
    join(&emu)
        .env("AWS_RETRY_MODE", "legacy")
        .run()
        .assert_code(254);
    assert_eq!(emu.journal().len(), 1 + 5);
    let emu = emulator();
    fail_next(
        &emu,
        "JoinStorageSession",
        10,
        503,
        "ServiceUnavailable",
        "busy",
    );
    let out = join(&emu).env("AWS_MAX_ATTEMPTS", "1").run();
    out.assert_code(254);
    assert!(out.stderr.contains("(reached max retries: 0)"));
    assert_eq!(emu.journal().len(), 1 + 1);
}

#[test]
fn throttling_is_retried_but_a_viewer_limit_is_not() {
    let emu = emulator();
    fail_next(
        &emu,
        "JoinStorageSession",
        1,
        400,
        "ClientLimitExceededException",
        "Your request has been throttled because you have exceeded the limit of allowed client calls.",
    );
    join(&emu).run().assert_ok();
    assert_eq!(emu.journal().len(), 3);

    let emu = emulator();
    fail_next(
        &emu,
        "JoinStorageSession",
        5,
        400,
        "ClientLimitExceededException",
        "Exceeded the maximum number of viewers for this channel",
    );
    join(&emu).run().assert_code(254);
    assert_eq!(emu.journal().len(), 2);
}

#[test]
fn connection_refused_is_255_with_the_aws_cli_message() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let out = kvs([
        "join-storage-session",
        "--channel-arn",
        ARN,
        "--endpoint-url",
        &url,
    ])
    .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
    .env("AWS_SECRET_ACCESS_KEY", SECRET)
    .env("KVS_TEST_BACKOFF_SCALE", "0")
    .run();
    out.assert_code(255);
    assert_eq!(
        out.stderr,
        format!("\nCould not connect to the endpoint URL: \"{url}/joinStorageSession\"\n")
    );
}

#[test]
fn read_timeout_is_retried_and_bounded() {
    let emu = emulator();
    emu.inject(Fault {
        operation: Some("JoinStorageSession".into()),
        count: 10,
        kind: FaultKind::Delay(Duration::from_secs(3)),
    });
    let started = Instant::now();
    let out = join(&emu).arg("--cli-read-timeout").arg("1").run();
    let elapsed = started.elapsed();
    out.assert_code(255);
    assert_eq!(
        out.stderr,
        format!(
            "\nRead timeout on endpoint URL: \"{}/joinStorageSession\"\n",
            emu.storage_url()
        )
    );
    // Three attempts of about a second each, not three delays of three seconds.
    assert!(elapsed < Duration::from_secs(8), "{elapsed:?}");
    let attempts = emu
        .journal()
        .iter()
        .filter(|e| e.operation == "JoinStorageSession")
        .count();
    assert_eq!(attempts, 3);
}

#[test]
fn a_reset_connection_is_retried() {
    let emu = emulator();
    emu.inject(Fault {
        operation: Some("JoinStorageSession".into()),
        count: 1,
        kind: FaultKind::Reset,
    });
    join(&emu).run().assert_ok();
}

#[test]
fn malformed_error_bodies_still_give_a_sensible_code() {
    let emu = emulator();
    emu.inject(Fault {
        operation: Some("JoinStorageSession".into()),
        count: 1,
        kind: FaultKind::Malformed {
            status: 400,
            content_type: "text/plain".into(),
            body: "not json at all".into(),
        },
    });
    let out = join(&emu).run();
    out.assert_code(254);
    assert_eq!(
        out.stderr,
        "\nAn error occurred (400) when calling the JoinStorageSession operation: not json at all\n"
    );
}

#[test]
fn a_discovery_answer_without_webrtc_is_255() {
    let emu = emulator();
    emu.inject(Fault {
        operation: Some("GetSignalingChannelEndpoint".into()),
        count: 1,
        kind: FaultKind::Malformed {
            status: 200,
            content_type: "application/json".into(),
            body:
                r#"{"ResourceEndpointList": [{"Protocol": "WSS", "ResourceEndpoint": "wss://x"}]}"#
                    .into(),
        },
    });
    let out = join(&emu).run();
    out.assert_code(255);
    assert!(out.stderr.contains("no WEBRTC endpoint"), "{out:?}");
}

#[test]
fn https_with_a_ca_bundle_without_verification_and_untrusted() {
    let emu = start(Options {
        tls: Tls::Generate,
        ..Options::default()
    });
    assert!(emu.control_url().starts_with("https://"));
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, emu.ca_pem().unwrap()).unwrap();

    let out = join(&emu)
        .arg("--ca-bundle")
        .arg(bundle.to_str().unwrap())
        .run();
    out.assert_ok();
    assert_eq!(out.stderr, "");
    let out = join(&emu)
        .env("AWS_CA_BUNDLE", bundle.to_str().unwrap())
        .run();
    out.assert_ok();

    let out = join(&emu).arg("--no-verify-ssl").run();
    out.assert_ok();
    assert!(
        out.stderr.starts_with(
            "InsecureRequestWarning: Unverified HTTPS request is being made to host '127.0.0.1'."
        ),
        "{out:?}"
    );

    let out = join(&emu).run();
    out.assert_code(255);
    assert!(
        out.stderr.starts_with(&format!(
            "\nSSL validation failed for {}/getSignalingChannelEndpoint ",
            emu.control_url()
        )),
        "{out:?}"
    );

    let out = join(&emu)
        .arg("--ca-bundle")
        .arg("/nonexistent/ca.pem")
        .run();
    out.assert_code(253);
}

#[test]
fn no_sign_request_sends_no_authorization() {
    let emu = emulator();
    let out = join(&emu).arg("--no-sign-request").run();
    out.assert_code(254);
    assert!(out.stderr.contains("(MissingAuthenticationTokenException)"));
    let journal = emu.journal();
    assert!(journal[0].header("authorization").is_none());
    assert!(journal[0].header("x-amz-date").is_none());
}

#[test]
fn a_session_token_is_sent_and_checked() {
    let emu = start(Options {
        session_token: Some(TOKEN.into()),
        ..Options::default()
    });
    join(&emu).env("AWS_SESSION_TOKEN", TOKEN).run().assert_ok();
    let journal = emu.journal();
    assert_eq!(journal[1].header("x-amz-security-token"), Some(TOKEN));
    let signed = journal[1].header("authorization").unwrap();
    assert!(signed.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"));
}

#[test]
fn debug_logs_decisions_but_never_secrets() {
    let emu = start(Options {
        session_token: Some(TOKEN.into()),
        ..Options::default()
    });
    fail_next(
        &emu,
        "JoinStorageSession",
        1,
        500,
        "InternalFailure",
        "boom",
    );
    let out = join(&emu)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .arg("--debug")
        .run();
    out.assert_ok();
    for needle in [
        "GetSignalingChannelEndpoint",
        "JoinStorageSession attempt 2",
        "HTTP 500",
        "retrying",
        "authorization: <redacted>",
        "x-amz-security-token: <redacted>",
        "region",
    ] {
        assert!(out.stderr.contains(needle), "--debug lacks {needle}");
    }
    for secret in [SECRET, TOKEN, "Signature="] {
        assert!(!out.stderr.contains(secret), "--debug shows {secret}");
        assert!(!out.stdout.contains(secret));
    }
}

#[test]
fn sigint_exits_130() {
    let emu = emulator();
    emu.inject(Fault {
        operation: Some("JoinStorageSession".into()),
        count: 1,
        kind: FaultKind::Delay(Duration::from_secs(5)),
    });
    let mut child = join(&emu)
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while emu.journal().len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
}

/// kvs and the AWS CLI send the same JoinStorageSession body and signed-header set.
#[test]
fn same_request_as_the_aws_cli() {
    let Some(aws) = which("aws") else {
        eprintln!("aws is not installed: comparison skipped");
        return;
    };
    let emu = emulator();
    join(&emu)
        .arg("--endpoint-url")
        .arg(&emu.storage_url())
        .run()
        .assert_ok();
    let home = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(aws)
        .args([
            "kinesis-video-webrtc-storage",
            "join-storage-session",
            "--channel-arn",
            ARN,
            "--endpoint-url",
            &emu.storage_url(),
            "--region",
            "us-west-2",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let journal = emu.journal();
    assert_eq!(journal.len(), 2);
    let (ours, theirs) = (&journal[0], &journal[1]);
    assert!(ours.signature_verified && theirs.signature_verified);
    assert_eq!(ours.body, theirs.body);
    assert_eq!(ours.path, theirs.path);
    let signed = |e: &JournalEntry| {
        let auth = e.header("authorization").unwrap().to_string();
        auth.split("SignedHeaders=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(signed(ours), signed(theirs));
    assert_eq!(ours.header("content-type"), theirs.header("content-type"));
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}
