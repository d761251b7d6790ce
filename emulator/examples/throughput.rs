//! Requests per second for JoinStorageSession against an in-process emulator, over one and
//! over four keep-alive connections. Every request is signed for real with aws-sigv4, with a
//! distinct body, before the clock starts, so the figure is the emulator's (parse, verify,
//! journal, answer) and not the signer's.
//!
//! `cargo run --release -p kvs-emulator --example throughput [REQUESTS_PER_CONNECTION]`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use kvs_emulator::{Emulator, Options};

const ARN: &str = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1234567890123";

/// One signed HTTP/1.1 request, ready to write.
fn signed_request(host: &str, n: usize) -> Vec<u8> {
    let url = format!("http://{host}/joinStorageSession");
    // A field the operation ignores makes each body, and so each signature, distinct.
    let body = format!(r#"{{"channelArn":"{ARN}","n":{n}}}"#);
    let base = [("host", host), ("content-type", "application/json")];
    let identity = Credentials::new("test", "test", None, None, "throughput").into();
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
        &url,
        base.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut text = format!(
        "POST /joinStorageSession HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in instructions.headers() {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(&body);
    text.into_bytes()
}

/// Send each request on one keep-alive connection, waiting for each answer.
fn run_connection(addr: &str, requests: &[Vec<u8>]) {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    for request in requests {
        writer.write_all(request).unwrap();
        line.clear();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut length = 0;
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
    }
}

fn measure(addr: &str, connections: usize, per_connection: usize) -> f64 {
    let batches: Vec<Vec<Vec<u8>>> = (0..connections)
        .map(|c| {
            (0..per_connection)
                .map(|i| signed_request(addr, c * per_connection + i))
                .collect()
        })
        .collect();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for batch in &batches {
            scope.spawn(|| run_connection(addr, batch));
        }
    });
    let elapsed = started.elapsed().max(Duration::from_nanos(1));
    (connections * per_connection) as f64 / elapsed.as_secs_f64()
}

fn main() {
    let per_connection: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("REQUESTS_PER_CONNECTION must be a number"))
        .unwrap_or(20_000);
    let emulator = Emulator::start(Options {
        channels: vec![ARN.into()],
        ..Options::default()
    })
    .unwrap();
    let addr = emulator
        .storage_url()
        .strip_prefix("http://")
        .unwrap()
        .to_string();
    // Warm up: connections, allocator, journal.
    measure(&addr, 1, 1_000);
    for connections in [1, 4] {
        let rate = measure(&addr, connections, per_connection);
        println!(
            "JoinStorageSession, {connections} connection(s), {} requests: {rate:.0} requests/s",
            connections * per_connection
        );
    }
}
