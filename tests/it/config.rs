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
