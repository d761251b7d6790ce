//! The command line, inputs, skeletons, help, version and usage errors: nothing here needs the
//! network.

use crate::support::{fixture, kvs, ARN};

const VIEWER_ARGS: [&str; 5] = [
    "join-storage-session-as-viewer",
    "--channel-arn",
    ARN,
    "--client-id",
    "viewer-1",
];

#[test]
fn version_prints_name_version_os_and_arch() {
    let out = kvs(["--version"]).run();
    out.assert_ok();
    let expected = format!(
        "kvs/{} {}/{}\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    assert_eq!(out.stdout, expected);
    // Anywhere on the line, even with the operation's required option missing.
    let out = kvs(["join-storage-session", "--version"]).run();
    out.assert_ok();
    assert_eq!(out.stdout, expected);
}

#[test]
fn help_documents_options_exit_codes_and_discovery() {
    for args in [
        vec!["help"],
        vec!["--help"],
        vec!["join-storage-session", "help"],
        vec!["join-storage-session", "--help"],
        vec!["help", "join-storage-session"],
    ] {
        let out = kvs(&args).run();
        out.assert_ok();
        assert_eq!(out.stderr, "", "{args:?}");
        for needle in [
            "--endpoint-url",
            "--cli-read-timeout",
            "--no-sign-request",
            "252",
            "GetSignalingChannelEndpoint",
        ] {
            assert!(out.stdout.contains(needle), "{args:?} lacks {needle}");
        }
    }
    let out = kvs(["join-storage-session", "help"]).run();
    assert!(out.stdout.contains("--channel-arn"));
    assert!(out.stdout.contains("--generate-cli-skeleton"));
    let out = kvs(["join-storage-session-as-viewer", "help"]).run();
    assert!(out.stdout.contains("--client-id"));
}

#[test]
fn input_skeletons_are_byte_identical_to_the_aws_cli() {
    for (args, expected) in [
        (
            vec!["join-storage-session", "--generate-cli-skeleton"],
            "cli/skeleton-join-storage-session",
        ),
        (
            vec!["join-storage-session", "--generate-cli-skeleton", "input"],
            "cli/skeleton-join-storage-session",
        ),
        (
            vec!["join-storage-session", "--generate-cli-skeleton=input"],
            "cli/skeleton-join-storage-session",
        ),
        (
            vec!["join-storage-session-as-viewer", "--generate-cli-skeleton"],
            "cli/skeleton-join-storage-session-as-viewer",
        ),
    ] {
        let out = kvs(&args).run();
        out.assert_ok();
        assert_eq!(out.stdout, fixture(expected), "{args:?}");
        assert_eq!(out.stderr, "");
    }
    // --output and --query do not apply to the input skeleton; no config is read for it.
    let out = kvs([
        "join-storage-session",
        "--generate-cli-skeleton",
        "--output",
        "table",
        "--query",
        "x",
        "--profile",
        "nosuch",
    ])
    .run();
    out.assert_ok();
    assert_eq!(out.stdout, fixture("cli/skeleton-join-storage-session"));
}

#[test]
fn output_skeleton_validates_input_and_prints_the_empty_output() {
    let out = kvs([
        "join-storage-session",
        "--generate-cli-skeleton",
        "output",
        "--channel-arn",
        ARN,
    ])
    .run();
    out.assert_ok();
    assert_eq!(
        out.stdout,
        fixture("cli/skeleton-output-join-storage-session")
    );
    // No credentials are needed for it.
    assert_eq!(out.stderr, "");
    kvs(["join-storage-session", "--generate-cli-skeleton", "output"])
        .run()
        .assert_usage_error("the following arguments are required: --channel-arn");
    kvs([
        "join-storage-session",
        "--generate-cli-skeleton",
        "output",
        "--channel-arn",
        "not-an-arn",
    ])
    .run()
    .assert_code(252);
}

#[test]
fn global_options_are_accepted_in_any_position() {
    let tail = [
        "--debug",
        "--no-verify-ssl",
        "--no-paginate",
        "--output",
        "json",
        "--color",
        "off",
        "--no-sign-request",
        "--cli-read-timeout",
        "5",
        "--cli-connect-timeout",
        "0",
        "--region",
        "us-west-2",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--ca-bundle",
        "/nonexistent.pem",
        "--query",
        "@",
    ];
    // Before the operation.
    let mut args: Vec<&str> = tail.to_vec();
    args.extend(["join-storage-session", "--generate-cli-skeleton"]);
    let out = kvs(&args).run();
    out.assert_ok();
    assert_eq!(out.stdout, fixture("cli/skeleton-join-storage-session"));
    // After it.
    let mut args = vec!["join-storage-session", "--generate-cli-skeleton"];
    args.extend(tail);
    kvs(&args).run().assert_ok();
    // Unambiguous prefixes and --opt=value work, as with argparse.
    let out = kvs([
        "join-storage-session",
        "--generate-cli-skel",
        "--outp=text",
        "--reg",
        "us-west-2",
    ])
    .run();
    out.assert_ok();
}

#[test]
fn bad_option_values_are_usage_errors() {
    let base = ["join-storage-session", "--channel-arn", ARN];
    let cases: &[(&[&str], &str)] = &[
        (
            &["--output", "xml"],
            "argument --output: Invalid choice 'xml', valid choices are: json | text | table",
        ),
        (
            &["--color", "maybe"],
            "argument --color: Invalid choice 'maybe', valid choices are: on | off | auto",
        ),
        (
            &["--cli-read-timeout=-1"],
            "argument --cli-read-timeout: invalid value '-1': must be a whole number of seconds, 0 or more",
        ),
        (
            &["--cli-connect-timeout", "abc"],
            "argument --cli-connect-timeout: invalid value 'abc': must be a whole number of seconds, 0 or more",
        ),
        (
            &["--cli-read-timeout", "1.5"],
            "argument --cli-read-timeout: invalid value '1.5': must be a whole number of seconds, 0 or more",
        ),
        (
            &["--endpoint-url", "127.0.0.1:4566"],
            "Bad value for --endpoint-url \"127.0.0.1:4566\": Must be of the form http://<hostname>/ or https://<hostname>/",
        ),
        (
            &["--endpoint-url", "ftp://example.com"],
            "Bad value for --endpoint-url \"ftp://example.com\": Must be of the form http://<hostname>/ or https://<hostname>/",
        ),
        (&["--bogus"], "Unknown options: --bogus"),
        (&["stray"], "Unknown options: stray"),
        (
            &["--generate-cli-skeleton", "both"],
            "argument --generate-cli-skeleton: Invalid choice 'both', valid choices are: input | output",
        ),
    ];
    for (extra, message) in cases {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(*extra);
        kvs(&args).run().assert_usage_error(message);
    }
}

#[test]
fn missing_command_operation_and_arguments_are_usage_errors() {
    kvs(Vec::<&str>::new())
        .run()
        .assert_usage_error("the following arguments are required: command");
    kvs(["join-storage-session"])
        .run()
        .assert_usage_error("the following arguments are required: --channel-arn");
    kvs(["join-storage-session-as-viewer", "--channel-arn", ARN])
        .run()
        .assert_usage_error("the following arguments are required: --client-id");
    kvs(["join-storage-session", "--channel-arn"])
        .run()
        .assert_usage_error("argument --channel-arn: expected one argument");
    let out = kvs(["join-storage-sessio"]).run();
    out.assert_code(252);
    assert!(out
        .stderr
        .starts_with("kvs: error: argument command: Invalid choice"));
    assert!(out.stderr.contains("join-storage-session"));
    assert_eq!(out.stderr.lines().count(), 1);
}

#[test]
fn the_channel_arn_and_client_id_are_validated_before_anything_else() {
    let out = kvs([
        "join-storage-session",
        "--channel-arn",
        "arn:aws:kinesisvideo:us-west-2:123456789012:stream/x",
    ])
    .run();
    out.assert_usage_error(
        "Parameter validation failed: Invalid value for parameter channelArn, value: \
         \"arn:aws:kinesisvideo:us-west-2:123456789012:stream/x\", valid pattern: \
         ^arn:(aws[a-zA-Z-]*):kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$",
    );
    let mut args = VIEWER_ARGS.to_vec();
    args[4] = "bad id!";
    kvs(&args).run().assert_usage_error(
        "Parameter validation failed: Invalid value for parameter clientId, value: \"bad id!\", \
         valid pattern: ^[a-zA-Z0-9_.-]+$",
    );
    args[4] = "";
    kvs(&args).run().assert_usage_error(
        "Parameter validation failed: Invalid length for parameter clientId, value: 0, valid \
         min length: 1",
    );
}

#[test]
fn cli_input_json_inline_and_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let doc = format!(r#"{{"channelArn": "{ARN}", "clientId": "from-json"}}"#);
    std::fs::write(dir.path().join("in.json"), &doc).unwrap();
    for value in [
        doc.clone(),
        "file://in.json".to_string(),
        "fileb://in.json".to_string(),
        format!("file://{}", dir.path().join("in.json").display()),
    ] {
        let out = kvs([
            "join-storage-session-as-viewer",
            "--generate-cli-skeleton",
            "output",
            "--cli-input-json",
            &value,
            "--query",
            "`\"ok\"`",
        ])
        .cwd(dir.path())
        .run();
        out.assert_ok();
        assert_eq!(out.stdout, "\"ok\"\n", "{value}");
    }
}

#[test]
fn cli_input_json_problems_are_named() {
    let run = |json: &str| {
        kvs([
            "join-storage-session",
            "--generate-cli-skeleton",
            "output",
            "--cli-input-json",
            json,
        ])
        .run()
    };
    let out = run("{bad json");
    out.assert_code(252);
    assert!(out
        .stderr
        .starts_with("kvs: error: Error parsing parameter 'cli-input-json': Invalid JSON: "));
    run("[1, 2]").assert_usage_error(
        "Error parsing parameter 'cli-input-json': must be a JSON object, got a list",
    );
    run(r#"{"channelArn": 5}"#).assert_usage_error(
        "Parameter validation failed: Invalid type for parameter channelArn, value: 5, type: \
         number, valid types: string",
    );
    run(&format!(r#"{{"channelArn": "{ARN}", "foo": 1}}"#)).assert_usage_error(
        "Parameter validation failed: Unknown parameter in input: \"foo\", must be one of: \
         channelArn",
    );
    run("{}").assert_usage_error(
        "Parameter validation failed: Missing required parameter in input: \"channelArn\"",
    );
    let out = run("file:///nonexistent/in.json");
    out.assert_usage_error(
        "Error parsing parameter '--cli-input-json': Unable to load paramfile \
         file:///nonexistent/in.json: No such file or directory",
    );
    // Even the input skeleton reads (and rejects) a broken document first, as the AWS CLI does.
    kvs([
        "join-storage-session",
        "--generate-cli-skeleton",
        "--cli-input-json",
        "{bad",
    ])
    .run()
    .assert_code(252);
}

#[test]
fn command_line_options_override_cli_input_json() {
    let other = ARN.replace("demo", "other");
    let out = kvs([
        "join-storage-session",
        "--generate-cli-skeleton",
        "output",
        "--cli-input-json",
        &format!(r#"{{"channelArn": "{other}"}}"#),
        "--channel-arn",
        "not-an-arn",
    ])
    .run();
    // The command line's (invalid) value won, so validation fails on it.
    out.assert_code(252);
    assert!(out.stderr.contains("value: \"not-an-arn\""), "{out:?}");
}

#[test]
fn parameter_values_can_come_from_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("arn.txt"), ARN).unwrap();
    std::fs::write(dir.path().join("arn-newline.txt"), format!("{ARN}\n")).unwrap();
    let out = kvs([
        "join-storage-session",
        "--generate-cli-skeleton",
        "output",
        "--channel-arn",
        "file://arn.txt",
    ])
    .cwd(dir.path())
    .run();
    out.assert_ok();
    // The AWS CLI keeps a trailing newline, which then fails the ARN pattern.
    let out = kvs([
        "join-storage-session",
        "--generate-cli-skeleton",
        "output",
        "--channel-arn",
        "file://arn-newline.txt",
    ])
    .cwd(dir.path())
    .run();
    out.assert_code(252);
    kvs([
        "join-storage-session",
        "--channel-arn",
        "file://missing.txt",
    ])
    .cwd(dir.path())
    .run()
    .assert_usage_error(
        "Error parsing parameter '--channel-arn': Unable to load paramfile file://missing.txt: \
         No such file or directory",
    );
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    use std::process::Stdio;
    let kvs = kvs(["join-storage-session", "--generate-cli-skeleton"]);
    let mut child = kvs
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// Version, help, input skeletons and usage errors never read the configuration: a config file
/// that cannot be parsed and an unknown profile do not disturb them.
#[test]
fn the_fast_paths_never_read_configuration() {
    let broken = |args: &[&str]| {
        kvs(args)
            .env("AWS_PROFILE", "nosuch")
            .home_file(".aws/config", "[default\nthis is not an ini file\n")
            .run()
    };
    broken(&["--version"]).assert_ok();
    broken(&["help"]).assert_ok();
    let out = broken(&["join-storage-session", "--generate-cli-skeleton"]);
    out.assert_ok();
    assert_eq!(out.stdout, "{\n    \"channelArn\": \"\"\n}\n");
    broken(&["join-storage-session"])
        .assert_usage_error("the following arguments are required: --channel-arn");
    // The output skeleton goes through the output settings, so it does read the profile.
    let out = broken(&[
        "join-storage-session",
        "--generate-cli-skeleton",
        "output",
        "--channel-arn",
        ARN,
    ]);
    out.assert_code(253);
}
