//! Every route, error, fault and the journal, over real HTTP with requests signed by aws-sigv4.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use kvs_emulator::{Emulator, Fault, FaultKind, Options, Tls};
use serde_json::{json, Value};

const ARN: &str = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1234567890123";

fn client(ca_pem: Option<&str>) -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        use rustls_pki_types::pem::PemObject;
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
    }
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .no_proxy()
        .build()
        .unwrap()
}

struct Reply {
    status: u16,
    error_type: Option<String>,
    request_id: Option<String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    body: &str,
    credentials: Option<(&str, &str, Option<&str>)>,
) -> Result<Reply, reqwest::Error> {
    let host = url.split("://").nth(1).unwrap().split('/').next().unwrap();
    let mut headers = vec![
        ("host".to_string(), host.to_string()),
        ("content-type".to_string(), "application/json".to_string()),
    ];
    if let Some((key, secret, token)) = credentials {
        let identity =
            Credentials::new(key, secret, token.map(str::to_string), None, "test").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-west-2")
            .name("kinesisvideo")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let signable = SignableRequest::new(
            "POST",
            url,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Bytes(body.as_bytes()),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        for (name, value) in instructions.headers() {
            headers.push((name.to_string(), value.to_string()));
        }
    }
    let mut request = client.post(url).body(body.to_string());
    for (name, value) in headers.iter().filter(|(n, _)| n != "host") {
        request = request.header(name, value);
    }
    let response = request.send().await?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (status, error_type, request_id) = (
        response.status().as_u16(),
        header("x-amzn-errortype"),
        header("x-amzn-requestid"),
    );
    Ok(Reply {
        status,
        error_type,
        request_id,
        body: response.text().await?,
    })
}

const KEYS: Option<(&str, &str, Option<&str>)> = Some(("test", "test", None));

fn start() -> Emulator {
    Emulator::start(Options {
        channels: vec![ARN.into()],
        ..Options::default()
    })
    .unwrap()
}

async fn call(emu: &Emulator, path: &str, body: Value) -> Reply {
    let url = format!("{}{path}", emu.control_url());
    post(&client(None), &url, &body.to_string(), KEYS)
        .await
        .unwrap()
}

#[tokio::test]
async fn discovery_hands_out_one_endpoint_per_protocol() {
    let emu = start();
    let reply = call(
        &emu,
        "/getSignalingChannelEndpoint",
        json!({"ChannelARN": ARN, "SingleMasterChannelEndpointConfiguration": {"Protocols": ["WSS", "HTTPS", "WEBRTC"], "Role": "MASTER"}}),
    )
    .await;
    assert_eq!(reply.status, 200);
    let control = emu.control_url();
    let host_port = control.strip_prefix("http://").unwrap();
    assert_eq!(
        reply.json(),
        json!({"ResourceEndpointList": [
            {"Protocol": "WSS", "ResourceEndpoint": format!("ws://{host_port}")},
            {"Protocol": "HTTPS", "ResourceEndpoint": control},
            {"Protocol": "WEBRTC", "ResourceEndpoint": emu.storage_url()},
        ]})
    );
    assert_ne!(emu.control_url(), emu.storage_url());
    assert!(reply.request_id.is_some());
}

#[tokio::test]
async fn discovery_over_tls_hands_out_wss_and_https() {
    let emu = Emulator::start(Options {
        channels: vec![ARN.into()],
        tls: Tls::Generate,
        ..Options::default()
    })
    .unwrap();
    let url = format!("{}/getSignalingChannelEndpoint", emu.control_url());
    let body = json!({"ChannelARN": ARN, "SingleMasterChannelEndpointConfiguration": {"Protocols": ["WSS", "HTTPS", "WEBRTC"]}});
    let ca = emu.ca_pem().unwrap();
    let reply = post(&client(Some(&ca)), &url, &body.to_string(), KEYS)
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let control = emu.control_url();
    let host_port = control.strip_prefix("https://").unwrap();
    let storage = emu.storage_url();
    assert!(storage.starts_with("https://127.0.0.1:"));
    assert_ne!(storage, control);
    assert_eq!(
        reply.json(),
        json!({"ResourceEndpointList": [
            {"Protocol": "WSS", "ResourceEndpoint": format!("wss://{host_port}")},
            {"Protocol": "HTTPS", "ResourceEndpoint": control},
            {"Protocol": "WEBRTC", "ResourceEndpoint": storage},
        ]})
    );
}

#[tokio::test]
async fn joins_succeed_on_the_storage_endpoint_with_an_empty_body() {
    let emu = start();
    let client = client(None);
    let url = format!("{}/joinStorageSession", emu.storage_url());
    let reply = post(&client, &url, &json!({"channelArn": ARN}).to_string(), KEYS)
        .await
        .unwrap();
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    let url = format!("{}/joinStorageSessionAsViewer", emu.storage_url());
    let body = json!({"channelArn": ARN, "clientId": "viewer-1"}).to_string();
    let reply = post(&client, &url, &body, KEYS).await.unwrap();
    assert_eq!(reply.status, 200);
    let body = json!({"channelArn": ARN, "clientId": "bad id"}).to_string();
    let reply = post(&client, &url, &body, KEYS).await.unwrap();
    assert_eq!(reply.status, 400);
    // The control plane does not serve discovery's answer on the storage listener.
    let url = format!("{}/getSignalingChannelEndpoint", emu.storage_url());
    let reply = post(&client, &url, &json!({"ChannelARN": ARN}).to_string(), KEYS)
        .await
        .unwrap();
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.error_type.as_deref(),
        Some("UnknownOperationException")
    );
}

#[tokio::test]
async fn channels_are_created_described_configured_and_deleted() {
    let emu = start();
    let created = call(
        &emu,
        "/createSignalingChannel",
        json!({"ChannelName": "cam-2"}),
    )
    .await;
    assert_eq!(created.status, 200);
    let arn = created.json()["ChannelARN"].as_str().unwrap().to_string();
    assert!(arn.starts_with("arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-2/"));
    let again = call(
        &emu,
        "/createSignalingChannel",
        json!({"ChannelName": "cam-2"}),
    )
    .await;
    assert_eq!(again.error_type.as_deref(), Some("ResourceInUseException"));

    let described = call(
        &emu,
        "/describeSignalingChannel",
        json!({"ChannelName": "cam-2"}),
    )
    .await;
    let info = &described.json()["ChannelInfo"];
    assert_eq!(info["ChannelARN"], arn.as_str());
    assert_eq!(info["ChannelStatus"], "ACTIVE");
    assert_eq!(info["ChannelType"], "SINGLE_MASTER");

    // A new channel has no storage: joining it is refused until storage is enabled.
    let join_url = format!("{}/joinStorageSession", emu.storage_url());
    let join_body = json!({"channelArn": arn}).to_string();
    let reply = post(&client(None), &join_url, &join_body, KEYS)
        .await
        .unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error_type.as_deref(),
        Some("InvalidArgumentException")
    );
    assert!(reply.json()["message"]
        .as_str()
        .unwrap()
        .contains("media storage"));
    let storage = call(
        &emu,
        "/describeMediaStorageConfiguration",
        json!({"ChannelARN": arn}),
    )
    .await;
    assert_eq!(
        storage.json(),
        json!({"MediaStorageConfiguration": {"Status": "DISABLED"}})
    );
    let update = call(
        &emu,
        "/updateMediaStorageConfiguration",
        json!({"ChannelARN": arn, "MediaStorageConfiguration": {"StreamARN": "arn:aws:kinesisvideo:us-west-2:123456789012:stream/s/1", "Status": "ENABLED"}}),
    )
    .await;
    assert_eq!(update.status, 200);
    let reply = post(&client(None), &join_url, &join_body, KEYS)
        .await
        .unwrap();
    assert_eq!(reply.status, 200);

    let version = info["Version"].as_str().unwrap();
    let wrong = call(
        &emu,
        "/deleteSignalingChannel",
        json!({"ChannelARN": arn, "CurrentVersion": "0"}),
    )
    .await;
    assert_eq!(
        wrong.error_type.as_deref(),
        Some("VersionMismatchException")
    );
    let deleted = call(
        &emu,
        "/deleteSignalingChannel",
        json!({"ChannelARN": arn, "CurrentVersion": version}),
    )
    .await;
    assert_eq!(deleted.status, 200);
    let gone = call(
        &emu,
        "/describeSignalingChannel",
        json!({"ChannelARN": arn}),
    )
    .await;
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn bad_input_gets_the_services_errors() {
    let emu = start();
    let unknown = ARN.replace("demo", "nope");
    let reply = call(
        &emu,
        "/getSignalingChannelEndpoint",
        json!({"ChannelARN": unknown}),
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.error_type.as_deref(),
        Some("ResourceNotFoundException")
    );
    // The control plane says `Message`, the storage plane `message`.
    assert!(reply.json()["Message"].is_string());
    let url = format!("{}/joinStorageSession", emu.storage_url());
    let reply = post(
        &client(None),
        &url,
        &json!({"channelArn": unknown}).to_string(),
        KEYS,
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 404);
    assert!(reply.json()["message"].is_string());

    let reply = post(
        &client(None),
        &url,
        &json!({"channelArn": "arn:nope"}).to_string(),
        KEYS,
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error_type.as_deref(),
        Some("InvalidArgumentException")
    );
    let reply = post(&client(None), &url, "{not json", KEYS).await.unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error_type.as_deref(),
        Some("InvalidArgumentException")
    );
}

#[tokio::test]
async fn authentication_failures() {
    let emu = start();
    let url = format!("{}/joinStorageSession", emu.storage_url());
    let body = json!({"channelArn": ARN}).to_string();
    let client = client(None);
    let cases = [
        (Some(("test", "wrong", None)), "InvalidSignatureException"),
        (
            Some(("nobody", "test", None)),
            "UnrecognizedClientException",
        ),
        (None, "MissingAuthenticationTokenException"),
    ];
    for (credentials, code) in cases {
        let reply = post(&client, &url, &body, credentials).await.unwrap();
        assert_eq!(reply.status, 403, "{code}");
        assert_eq!(reply.error_type.as_deref(), Some(code));
    }
    let journal = emu.journal();
    assert_eq!(journal.len(), 3);
    assert!(journal
        .iter()
        .all(|e| !e.signature_verified && e.status == 403));

    let emu = Emulator::start(Options {
        channels: vec![ARN.into()],
        session_token: Some("tok".into()),
        ..Options::default()
    })
    .unwrap();
    let url = format!("{}/joinStorageSession", emu.storage_url());
    let reply = post(&client, &url, &body, Some(("test", "test", Some("tok"))))
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    let reply = post(&client, &url, &body, KEYS).await.unwrap();
    assert_eq!(
        reply.error_type.as_deref(),
        Some("UnrecognizedClientException")
    );
}

#[tokio::test]
async fn the_journal_records_each_request_as_sent() {
    let emu = start();
    call(
        &emu,
        "/getSignalingChannelEndpoint",
        json!({"ChannelARN": ARN}),
    )
    .await;
    let journal = emu.journal();
    assert_eq!(journal.len(), 1);
    let entry = &journal[0];
    assert_eq!(entry.method, "POST");
    assert_eq!(entry.path, "/getSignalingChannelEndpoint");
    assert_eq!(entry.operation, "GetSignalingChannelEndpoint");
    assert_eq!(entry.body, json!({"ChannelARN": ARN}).to_string());
    assert_eq!(entry.status, 200);
    assert!(entry.signature_verified);
    assert_eq!(entry.header("Content-Type"), Some("application/json"));
    assert!(entry
        .header("authorization")
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256 "));

    // Over the admin route too; admin calls themselves are not journaled.
    let admin = client(None)
        .get(format!("{}/_emulator/requests", emu.control_url()))
        .send()
        .await
        .unwrap();
    let listed: Value = serde_json::from_str(&admin.text().await.unwrap()).unwrap();
    assert_eq!(listed[0]["operation"], "GetSignalingChannelEndpoint");
    assert_eq!(emu.journal().len(), 1);
    emu.clear_journal();
    assert!(emu.journal().is_empty());
}

#[tokio::test]
async fn the_journal_keeps_only_the_most_recent_requests() {
    assert_eq!(Options::default().journal_capacity, 10_000);
    let emu = Emulator::start(Options {
        channels: vec![ARN.into()],
        journal_capacity: 3,
        ..Options::default()
    })
    .unwrap();
    for n in 0..5 {
        let body = json!({"ChannelARN": ARN, "n": n});
        assert_eq!(
            call(&emu, "/describeSignalingChannel", body).await.status,
            200
        );
    }
    let journal = emu.journal();
    let kept: Vec<Value> = journal
        .iter()
        .map(|e| serde_json::from_str::<Value>(&e.body).unwrap()["n"].clone())
        .collect();
    assert_eq!(kept, [json!(2), json!(3), json!(4)]);
    // Statuses still reach their entries once older ones are gone.
    assert!(journal.iter().all(|e| e.status == 200));
}

#[tokio::test]
async fn faults_fail_delay_reset_and_garble() {
    let emu = start();
    let url = format!("{}/joinStorageSession", emu.storage_url());
    let body = json!({"channelArn": ARN}).to_string();
    let client = client(None);

    emu.inject(Fault {
        operation: Some("JoinStorageSession".into()),
        count: 2,
        kind: FaultKind::Error {
            status: 503,
            code: "ServiceUnavailable".into(),
            message: "busy".into(),
        },
    });
    for _ in 0..2 {
        let reply = post(&client, &url, &body, KEYS).await.unwrap();
        assert_eq!(reply.status, 503);
        assert_eq!(reply.json(), json!({"message": "busy"}));
    }
    assert_eq!(post(&client, &url, &body, KEYS).await.unwrap().status, 200);

    emu.inject(Fault {
        operation: None,
        count: 1,
        kind: FaultKind::Delay(Duration::from_millis(300)),
    });
    let started = Instant::now();
    assert_eq!(post(&client, &url, &body, KEYS).await.unwrap().status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    emu.inject(Fault {
        operation: Some("JoinStorageSession".into()),
        count: 1,
        kind: FaultKind::Reset,
    });
    assert!(post(&client, &url, &body, KEYS).await.is_err());
    assert_eq!(emu.journal().last().unwrap().status, 0);

    emu.inject(Fault {
        operation: Some("JoinStorageSession".into()),
        count: 1,
        kind: FaultKind::Malformed {
            status: 200,
            content_type: "text/html".into(),
            body: "<html>".into(),
        },
    });
    let reply = post(&client, &url, &body, KEYS).await.unwrap();
    assert_eq!((reply.status, reply.body.as_str()), (200, "<html>"));

    // The admin route takes the same faults as JSON.
    let admin = client
        .post(format!("{}/_emulator/faults", emu.control_url()))
        .body(r#"{"operation": "JoinStorageSession", "error": {"status": 400, "code": "ClientLimitExceededException", "message": "slow down"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status().as_u16(), 200);
    let reply = post(&client, &url, &body, KEYS).await.unwrap();
    assert_eq!(
        reply.error_type.as_deref(),
        Some("ClientLimitExceededException")
    );
    let bad = client
        .post(format!("{}/_emulator/faults", emu.control_url()))
        .body(r#"{"operation": "X"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn https_with_a_generated_certificate() {
    let emu = Emulator::start(Options {
        channels: vec![ARN.into()],
        tls: Tls::Generate,
        ..Options::default()
    })
    .unwrap();
    assert!(emu.control_url().starts_with("https://127.0.0.1:"));
    let ca = emu.ca_pem().unwrap();
    let url = format!("{}/joinStorageSession", emu.storage_url());
    let body = json!({"channelArn": ARN}).to_string();
    let reply = post(&client(Some(&ca)), &url, &body, KEYS).await.unwrap();
    assert_eq!(reply.status, 200);
    // Untrusted without the CA.
    assert!(post(&client(None), &url, &body, KEYS).await.is_err());
}

#[test]
fn one_listener_serves_both_planes_when_asked() {
    let emu = Emulator::start(Options {
        separate_storage_listener: false,
        ..Options::default()
    })
    .unwrap();
    assert_eq!(emu.control_url(), emu.storage_url());
    emu.add_channel(ARN, false);
}
