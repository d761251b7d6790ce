//! json, text and table output through the binary, byte for byte against what the AWS CLI
//! printed for the same command (tests/fixtures/output/regenerate.sh).

use crate::support::{fixture, kvs, ARN};

#[test]
fn every_case_matches_the_aws_cli_in_every_format() {
    let cases = fixture("output/cases.tsv");
    let mut checked = 0;
    for line in cases.lines() {
        let (name, query) = line.split_once('\t').expect("name TAB query");
        for (suffix, format, color) in [
            ("json", "json", "off"),
            ("text", "text", "off"),
            ("table", "table", "off"),
            ("table-color", "table", "on"),
        ] {
            let out = kvs([
                "join-storage-session",
                "--generate-cli-skeleton",
                "output",
                "--channel-arn",
                ARN,
                "--query",
                query,
                "--output",
                format,
                "--color",
                color,
            ])
            .run();
            let expected = fixture(&format!("output/{name}.{suffix}"));
            assert_eq!(out.stdout, expected, "{name}.{suffix}: {out:?}");
            checked += 1;
        }
    }
    assert!(checked >= 80, "{checked}");
}

#[test]
fn a_malformed_query_is_a_usage_error() {
    let out = kvs([
        "join-storage-session",
        "--generate-cli-skeleton",
        "output",
        "--channel-arn",
        ARN,
        "--query",
        "a[",
    ])
    .run();
    assert_eq!(out.code, 252, "{out:?}");
    assert!(out
        .stderr
        .starts_with("kvs: error: Bad value for --query a["));
    assert_eq!(out.stderr.lines().count(), 1);
}
