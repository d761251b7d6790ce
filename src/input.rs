//! The operation's input: parameter files (`file://`, `fileb://`), `--cli-input-json`, the merge
//! of the two, validation against the operation's input shape, and the input skeleton.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::cli::{OperationArgs, SkeletonMode};
use crate::error::{Error, Result};
use crate::operations::{Member, Operation};

/// Validated input: every member's value, in the operation's member order.
#[derive(Debug, Clone)]
pub struct Input {
    pub operation: &'static Operation,
    pub values: Vec<(&'static str, String)>,
}

impl Input {
    pub fn get(&self, member: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(name, _)| *name == member)
            .map(|(_, v)| v.as_str())
    }

    /// The channel ARN, which every operation has.
    pub fn channel_arn(&self) -> &str {
        self.get(self.operation.channel_arn_member().name)
            .expect("the channel ARN is required and was validated")
    }
}

/// The input skeleton, byte for byte as the AWS CLI prints it (`json.dumps(..., indent=4)`).
pub fn input_skeleton(operation: &Operation) -> String {
    let members: Vec<String> = operation
        .members
        .iter()
        .map(|m| format!("    \"{}\": \"\"", m.name))
        .collect();
    format!("{{\n{}\n}}\n", members.join(",\n"))
}

/// Read the arguments, merge `--cli-input-json`, and validate. `cwd` resolves relative paths.
pub fn load(args: &OperationArgs, cwd: &Path, home: Option<&Path>) -> Result<Input> {
    let operation = args.operation;
    let mut given: Map<String, Value> = Map::new();
    for (name, raw) in &args.params {
        let member = operation
            .member(name)
            .expect("params come from the member table");
        let value = expand_paramfile(raw, &format!("--{}", member.cli_name), cwd, home)?;
        given.insert(member.name.to_string(), value);
    }
    let from_json = match &args.cli_input_json {
        Some(raw) => Some(read_cli_input_json(raw, cwd, home)?),
        None => None,
    };
    if let Some(doc) = from_json {
        // Command-line options win over the document.
        for (key, value) in doc {
            given.entry(key).or_insert(value);
        }
    }
    if args.skeleton == Some(SkeletonMode::Input) {
        // The skeleton is printed whatever the values are, as the AWS CLI does.
        return Ok(Input {
            operation,
            values: Vec::new(),
        });
    }
    validate(operation, given, args.cli_input_json.is_some())
}

/// `file://` gives the file's text (trailing newline included, as the AWS CLI does), `fileb://`
/// its bytes, which a string member rejects. Anything else is the value itself.
fn expand_paramfile(raw: &str, option: &str, cwd: &Path, home: Option<&Path>) -> Result<Value> {
    if let Some(path) = raw.strip_prefix("file://") {
        let text = read_text_file(raw, path, option, cwd, home)?;
        return Ok(Value::String(text));
    }
    if let Some(path) = raw.strip_prefix("fileb://") {
        // Read it anyway so a missing file is reported as such.
        read_file(raw, path, option, cwd, home)?;
        return Err(Error::usage(format!(
            "Error parsing parameter '{option}': fileb:// gives binary content, but this \
             parameter is a string: use file://{path}"
        )));
    }
    Ok(Value::String(raw.to_string()))
}

fn resolve_path(path: &str, cwd: &Path, home: Option<&Path>) -> PathBuf {
    let expanded = match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    };
    cwd.join(expanded)
}

fn read_file(
    raw: &str,
    path: &str,
    option: &str,
    cwd: &Path,
    home: Option<&Path>,
) -> Result<Vec<u8>> {
    std::fs::read(resolve_path(path, cwd, home)).map_err(|e| {
        Error::usage(format!(
            "Error parsing parameter '{option}': Unable to load paramfile {raw}: {}",
            io_reason(&e)
        ))
    })
}

fn read_text_file(
    raw: &str,
    path: &str,
    option: &str,
    cwd: &Path,
    home: Option<&Path>,
) -> Result<String> {
    let bytes = read_file(raw, path, option, cwd, home)?;
    String::from_utf8(bytes).map_err(|_| {
        Error::usage(format!(
            "Error parsing parameter '{option}': Unable to load paramfile ({path}), text contents \
             could not be decoded.  If this is a binary file, please use the fileb:// prefix \
             instead of the file:// prefix."
        ))
    })
}

/// An I/O error's reason without Rust's "(os error N)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn read_cli_input_json(raw: &str, cwd: &Path, home: Option<&Path>) -> Result<Map<String, Value>> {
    let option = "--cli-input-json";
    let text = if let Some(path) = raw.strip_prefix("file://") {
        read_text_file(raw, path, option, cwd, home)?
    } else if let Some(path) = raw.strip_prefix("fileb://") {
        let bytes = read_file(raw, path, option, cwd, home)?;
        String::from_utf8(bytes).map_err(|_| {
            Error::usage(format!(
                "Error parsing parameter 'cli-input-json': Invalid JSON: {path} is not UTF-8"
            ))
        })?
    } else {
        raw.to_string()
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        Error::usage(format!(
            "Error parsing parameter 'cli-input-json': Invalid JSON: {e}"
        ))
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(Error::usage(format!(
            "Error parsing parameter 'cli-input-json': must be a JSON object, got {}",
            json_type(&other)
        ))),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Check the merged input against the operation's shape, as botocore's validator does, plus the
/// constraints botocore leaves to the service (pattern), so a bad ARN fails before any request.
fn validate(
    operation: &'static Operation,
    mut given: Map<String, Value>,
    from_cli_input_json: bool,
) -> Result<Input> {
    let mut problems = Vec::new();
    let missing: Vec<&Member> = operation
        .members
        .iter()
        .filter(|m| m.required && !given.contains_key(m.name))
        .collect();
    if !missing.is_empty() && !from_cli_input_json {
        let names: Vec<String> = missing
            .iter()
            .map(|m| format!("--{}", m.cli_name))
            .collect();
        return Err(Error::usage(format!(
            "the following arguments are required: {}",
            names.join(", ")
        )));
    }
    for member in &missing {
        problems.push(format!(
            "Missing required parameter in input: \"{}\"",
            member.name
        ));
    }
    let allowed: Vec<&str> = operation.members.iter().map(|m| m.name).collect();
    for key in given.keys() {
        if operation.member(key).is_none() {
            problems.push(format!(
                "Unknown parameter in input: \"{key}\", must be one of: {}",
                allowed.join(", ")
            ));
        }
    }
    let mut values = Vec::new();
    for member in operation.members {
        match given.remove(member.name) {
            None => {}
            Some(Value::String(s)) => {
                if let Some(problem) = check_constraints(member, &s) {
                    problems.push(problem);
                }
                values.push((member.name, s));
            }
            Some(other) => problems.push(format!(
                "Invalid type for parameter {}, value: {}, type: {}, valid types: string",
                member.name,
                other,
                json_type(&other)
                    .trim_start_matches("a ")
                    .trim_start_matches("an ")
            )),
        }
    }
    if problems.is_empty() {
        Ok(Input { operation, values })
    } else {
        Err(Error::usage(format!(
            "Parameter validation failed: {}",
            problems.join("; ")
        )))
    }
}

fn check_constraints(member: &Member, value: &str) -> Option<String> {
    let len = value.chars().count();
    if len < member.min_len {
        return Some(format!(
            "Invalid length for parameter {}, value: {len}, valid min length: {}",
            member.name, member.min_len
        ));
    }
    if len > member.max_len {
        return Some(format!(
            "Invalid length for parameter {}, value: {len}, valid max length: {}",
            member.name, member.max_len
        ));
    }
    let pattern = regex_lite::Regex::new(member.pattern).expect("member patterns are valid");
    if !pattern.is_match(value) {
        return Some(format!(
            "Invalid value for parameter {}, value: {value:?}, valid pattern: {}",
            member.name, member.pattern
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations;

    const ARN: &str = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1234567890123";

    fn args(op: &str, params: &[(&'static str, &str)], json: Option<&str>) -> OperationArgs {
        OperationArgs {
            operation: operations::find(op).unwrap(),
            params: params.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            cli_input_json: json.map(str::to_string),
            skeleton: None,
        }
    }

    fn load_in_tmp(a: &OperationArgs) -> Result<Input> {
        load(a, &std::env::temp_dir(), None)
    }

    #[test]
    fn skeletons_match_the_aws_cli() {
        let join = operations::find("join-storage-session").unwrap();
        assert_eq!(input_skeleton(join), "{\n    \"channelArn\": \"\"\n}\n");
        let viewer = operations::find("join-storage-session-as-viewer").unwrap();
        assert_eq!(
            input_skeleton(viewer),
            "{\n    \"channelArn\": \"\",\n    \"clientId\": \"\"\n}\n"
        );
    }

    #[test]
    fn command_line_wins_over_cli_input_json() {
        let other = ARN.replace("demo", "other");
        let json = format!(r#"{{"channelArn": "{other}"}}"#);
        let input = load_in_tmp(&args(
            "join-storage-session",
            &[("channelArn", ARN)],
            Some(&json),
        ))
        .unwrap();
        assert_eq!(input.channel_arn(), ARN);
        let input = load_in_tmp(&args("join-storage-session", &[], Some(&json))).unwrap();
        assert_eq!(input.channel_arn(), other);
    }

    #[test]
    fn validation_names_each_problem() {
        let err =
            load_in_tmp(&args("join-storage-session", &[], Some(r#"{"foo": 1}"#))).unwrap_err();
        assert_eq!(
            err.message(),
            "Parameter validation failed: Missing required parameter in input: \"channelArn\"; \
             Unknown parameter in input: \"foo\", must be one of: channelArn"
        );
        let err = load_in_tmp(&args(
            "join-storage-session",
            &[],
            Some(r#"{"channelArn": 5}"#),
        ))
        .unwrap_err();
        assert_eq!(
            err.message(),
            "Parameter validation failed: Invalid type for parameter channelArn, value: 5, \
             type: number, valid types: string"
        );
        let err = load_in_tmp(&args(
            "join-storage-session-as-viewer",
            &[("channelArn", ARN), ("clientId", "bad id")],
            None,
        ))
        .unwrap_err();
        assert!(err.message().contains("valid pattern: ^[a-zA-Z0-9_.-]+$"));
        let long = "x".repeat(257);
        let err = load_in_tmp(&args(
            "join-storage-session-as-viewer",
            &[("channelArn", ARN), ("clientId", &long)],
            None,
        ))
        .unwrap_err();
        assert!(err
            .message()
            .contains("Invalid length for parameter clientId, value: 257, valid max length: 256"));
    }

    #[test]
    fn missing_option_without_json_reads_like_argparse() {
        let err = load_in_tmp(&args("join-storage-session", &[], None)).unwrap_err();
        assert_eq!(
            err.message(),
            "the following arguments are required: --channel-arn"
        );
        assert_eq!(err.exit_code(), 252);
    }

    #[test]
    fn invalid_and_non_object_json_are_usage_errors() {
        let err = load_in_tmp(&args("join-storage-session", &[], Some("{bad"))).unwrap_err();
        assert!(err
            .message()
            .starts_with("Error parsing parameter 'cli-input-json': Invalid JSON: "));
        let err = load_in_tmp(&args("join-storage-session", &[], Some("[1,2]"))).unwrap_err();
        assert_eq!(
            err.message(),
            "Error parsing parameter 'cli-input-json': must be a JSON object, got a list"
        );
    }
}
