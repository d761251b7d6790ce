//! Profiles, credentials and region through the binary, as a user's ~/.aws would drive them.

use kvs_emulator::{Emulator, Options};

use crate::support::{kvs, Kvs, ARN};

const SECRET: &str = "profile-secret-do-not-print";

fn emulator_for(key: &str) -> Emulator {
    Emulator::start(Options {
        channels: vec![ARN.to_string()],
        access_key_id: key.into(),
        secret_access_key: SECRET.into(),
        ..Options::default()
    })
    .expect("the emulator starts")
}

fn join(emulator: &Emulator, extra: &[&str]) -> Kvs {
    let mut args = vec!["join-storage-session", "--channel-arn", ARN];
    args.extend(extra);
    kvs(args)
        .env("AWS_ENDPOINT_URL", &emulator.control_url())
        .env("KVS_TEST_BACKOFF_SCALE", "0")
}

fn signing_key(emulator: &Emulator) -> String {
    let journal = emulator.journal();
    let auth = journal[0].header("authorization").expect("signed");
    auth.split("Credential=")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

fn credentials_file(profiles: &[(&str, &str)]) -> String {
    profiles
        .iter()
        .map(|(name, key)| {
            format!("[{name}]\naws_access_key_id = {key}\naws_secret_access_key = {SECRET}\n")
        })
        .collect()
}

#[test]
fn default_profile_from_the_credentials_file() {
    let emu = emulator_for("AKIDDEFAULT");
    let out = join(&emu, &[])
        .home_file(
            ".aws/credentials",
            &credentials_file(&[("default", "AKIDDEFAULT")]),
        )
        .run();
    out.assert_ok();
    assert_eq!(signing_key(&emu), "AKIDDEFAULT");
}

#[test]
fn profile_region_is_used_and_must_agree_with_the_arn() {
    let emu = emulator_for("AKIDDEFAULT");
    let base = || {
        join(&emu, &[]).home_file(
            ".aws/credentials",
            &credentials_file(&[("default", "AKIDDEFAULT")]),
        )
    };
    base()
        .home_file(".aws/config", "[default]\nregion = us-west-2\n")
        .run()
        .assert_ok();
    let scope = emu.journal()[0]
        .header("authorization")
        .unwrap()
        .to_string();
    assert!(scope.contains("/us-west-2/kinesisvideo/aws4_request"));

    let out = base()
        .home_file(".aws/config", "[default]\nregion = eu-west-1\n")
        .run();
    out.assert_code(253);
    assert!(out.stderr.contains("eu-west-1"), "{out:?}");
    assert!(out.stderr.contains("us-west-2"), "{out:?}");
}

#[test]
fn environment_credentials_beat_the_profile_but_profile_flag_beats_environment() {
    let emu = emulator_for("AKIDENV");
    join(&emu, &[])
        .home_file(
            ".aws/credentials",
            &credentials_file(&[("default", "AKIDFILE")]),
        )
        .env("AWS_ACCESS_KEY_ID", "AKIDENV")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .run()
        .assert_ok();
    assert_eq!(signing_key(&emu), "AKIDENV");

    // As in the AWS CLI v1: --profile skips environment credentials.
    let emu = emulator_for("AKIDDEV");
    join(&emu, &["--profile", "dev"])
        .home_file(
            ".aws/credentials",
            &credentials_file(&[("default", "AKIDFILE"), ("dev", "AKIDDEV")]),
        )
        .env("AWS_ACCESS_KEY_ID", "AKIDENV")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .run()
        .assert_ok();
    assert_eq!(signing_key(&emu), "AKIDDEV");
}

#[test]
fn profile_flag_beats_aws_profile() {
    let emu = emulator_for("AKIDFLAG");
    join(&emu, &["--profile", "flag"])
        .home_file(
            ".aws/credentials",
            &credentials_file(&[("flag", "AKIDFLAG"), ("fromenv", "AKIDFROMENV")]),
        )
        .env("AWS_PROFILE", "fromenv")
        .run()
        .assert_ok();
    assert_eq!(signing_key(&emu), "AKIDFLAG");
}

#[test]
fn a_missing_profile_is_a_configuration_error() {
    let emu = emulator_for("AKID");
    let out = join(&emu, &["--profile", "nosuch"]).run();
    out.assert_code(253);
    assert_eq!(
        out.stderr,
        "\nThe config profile (nosuch) could not be found\n"
    );
    assert!(emu.journal().is_empty());
}

#[test]
fn no_credentials_anywhere_is_253() {
    let emu = emulator_for("AKID");
    let out = join(&emu, &[])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .run();
    out.assert_code(253);
    assert!(
        out.stderr.starts_with("\nUnable to locate credentials."),
        "{out:?}"
    );
    assert!(emu.journal().is_empty());
}

#[test]
fn a_broken_config_file_is_253_naming_the_file() {
    let emu = emulator_for("AKID");
    let out = join(&emu, &[])
        .home_file(".aws/config", "[default\nregion = us-west-2\n")
        .run();
    out.assert_code(253);
    assert!(out.stderr.contains(".aws/config"), "{out:?}");
    assert_eq!(out.stderr.trim().lines().count(), 1, "{out:?}");
}

#[test]
fn credential_process_supplies_keys() {
    let emu = emulator_for("AKIDPROCESS");
    let home_script = format!(
        "#!/bin/sh\necho '{{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"{SECRET}\"}}'\n"
    );
    let run = join(&emu, &["--profile", "proc"]).home_file("creds.sh", &home_script);
    let script = run.home().join("creds.sh");
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = run
        .home_file(
            ".aws/config",
            &format!(
                "[profile proc]\ncredential_process = {}\n",
                script.display()
            ),
        )
        .run();
    out.assert_ok();
    assert_eq!(signing_key(&emu), "AKIDPROCESS");
}

#[test]
fn no_sign_request_needs_no_credentials() {
    let emu = emulator_for("AKID");
    let out = join(&emu, &["--no-sign-request"]).run();
    // The emulator demands a signature, so this fails there, not for lack of credentials.
    out.assert_code(254);
    assert!(out.stderr.contains("MissingAuthenticationTokenException"));
    let journal = emu.journal();
    assert!(!journal.is_empty());
    for entry in journal {
        for header in ["authorization", "x-amz-date", "x-amz-security-token"] {
            assert!(entry.header(header).is_none(), "{header} was sent");
        }
    }
}

/// A local STS that answers every AssumeRole with the same keys, recording each request body
/// and the key that signed it.
struct Sts {
    url: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

const ROLE_TOKEN: &str = "role-session-token-do-not-print";

fn sts(key: &'static str) -> Sts {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&mut stream);
            let (mut length, mut signer) = (0, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if let Some(credential) = line.split("Credential=").nth(1) {
                    signer = credential.split('/').next().unwrap_or("").to_string();
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            record
                .lock()
                .unwrap()
                .push((String::from_utf8_lossy(&body).into_owned(), signer));
            let xml = format!(
                "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                 <AssumeRoleResult><Credentials><AccessKeyId>{key}</AccessKeyId>\
                 <SecretAccessKey>{SECRET}</SecretAccessKey><SessionToken>{ROLE_TOKEN}\
                 </SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>\
                 <AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId>\
                 <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn></AssumedRoleUser>\
                 </AssumeRoleResult></AssumeRoleResponse>"
            );
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{xml}",
                xml.len()
            );
        }
    });
    Sts { url, seen }
}

#[test]
fn assume_role_with_a_source_profile() {
    let sts = sts("ASIAROLE");
    let emu = Emulator::start(Options {
        channels: vec![ARN.to_string()],
        access_key_id: "ASIAROLE".into(),
        secret_access_key: SECRET.into(),
        session_token: Some(ROLE_TOKEN.into()),
        ..Options::default()
    })
    .expect("the emulator starts");
    let out = join(&emu, &["--profile", "deploy", "--debug"])
        .env("AWS_ENDPOINT_URL_STS", &sts.url)
        .home_file(
            ".aws/config",
            "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n\
             source_profile = base\nrole_session_name = ci\nexternal_id = ext-7\n\
             duration_seconds = 1800\n",
        )
        .home_file(
            ".aws/credentials",
            &credentials_file(&[("base", "AKIDBASE")]),
        )
        .run();
    out.assert_ok();
    assert_eq!(signing_key(&emu), "ASIAROLE");
    let seen = sts.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let (body, signer) = &seen[0];
    assert_eq!(signer, "AKIDBASE");
    for part in [
        "Action=AssumeRole",
        "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy",
        "RoleSessionName=ci",
        "ExternalId=ext-7",
        "DurationSeconds=1800",
    ] {
        assert!(body.contains(part), "{part} not in {body}");
    }
    // --debug says where the credentials came from, and never what they are.
    assert!(
        out.stderr
            .contains("assume-role arn:aws:iam::123456789012:role/deploy"),
        "{}",
        out.stderr
    );
    for secret in [SECRET, ROLE_TOKEN] {
        assert!(!out.stderr.contains(secret) && !out.stdout.contains(secret));
    }
}

#[test]
fn mfa_serial_is_refused_clearly() {
    let emu = emulator_for("AKID");
    let out = join(&emu, &["--profile", "mfa"])
        .home_file(
            ".aws/config",
            "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/r\n\
             source_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n",
        )
        .home_file(
            ".aws/credentials",
            &credentials_file(&[("base", "AKIDBASE")]),
        )
        .run();
    out.assert_code(253);
    assert!(out.stderr.contains("mfa_serial"), "{out:?}");
    assert!(emu.journal().is_empty());
}

#[test]
fn profile_credentials_never_reach_debug_output() {
    let emu = emulator_for("AKIDDEFAULT");
    let out = join(&emu, &["--debug"])
        .home_file(
            ".aws/credentials",
            &credentials_file(&[("default", "AKIDDEFAULT")]),
        )
        .run();
    out.assert_ok();
    assert!(out.stderr.contains("AKIDDEFAULT"), "{}", out.stderr);
    assert!(!out.stderr.contains(SECRET) && !out.stdout.contains(SECRET));
}

#[test]
fn region_from_the_arn_when_none_is_configured() {
    let emu = emulator_for("AKID");
    join(&emu, &[])
        .env("AWS_ACCESS_KEY_ID", "AKID")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .run()
        .assert_ok();
    let auth = emu.journal()[0]
        .header("authorization")
        .unwrap()
        .to_string();
    assert!(auth.contains("/us-west-2/kinesisvideo/aws4_request"));
}

#[test]
fn output_format_from_the_environment_and_profile() {
    let run = |env: Option<&str>, profile: Option<&str>| {
        let mut k = kvs([
            "join-storage-session",
            "--generate-cli-skeleton",
            "output",
            "--channel-arn",
            ARN,
            "--query",
            "`[\"a\", \"b\"]`",
        ]);
        if let Some(v) = env {
            k = k.env("AWS_DEFAULT_OUTPUT", v);
        }
        if let Some(p) = profile {
            k = k.home_file(".aws/config", &format!("[default]\noutput = {p}\n"));
        }
        k.run()
    };
    assert_eq!(run(None, None).stdout, "[\n    \"a\",\n    \"b\"\n]\n");
    assert_eq!(run(Some("text"), None).stdout, "a\tb\n");
    assert_eq!(run(None, Some("text")).stdout, "a\tb\n");
    assert_eq!(
        run(Some("json"), Some("text")).stdout,
        "[\n    \"a\",\n    \"b\"\n]\n"
    );
    run(Some("xml"), None).assert_code(253);
}
