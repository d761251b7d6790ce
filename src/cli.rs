//! The command line: clap definitions built from the operations table, and the parsed result.
//! No I/O happens here.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::error::{Error, Result};
use crate::operations::{self, Operation};
use crate::output::OutputFormat;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorMode {
    On,
    Off,
    #[default]
    Auto,
}

/// The global options, as typed on the command line (nothing resolved yet).
#[derive(Debug, Clone, Default)]
pub struct GlobalArgs {
    pub debug: bool,
    /// The WebRTC storage endpoint; already checked to be an http(s) URL with a host.
    pub endpoint_url: Option<String>,
    pub no_verify_ssl: bool,
    pub no_paginate: bool,
    pub output: Option<OutputFormat>,
    pub query: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub color: ColorMode,
    pub no_sign_request: bool,
    pub ca_bundle: Option<PathBuf>,
    /// Seconds; 0 means no timeout.
    pub cli_read_timeout: Option<u64>,
    /// Seconds; 0 means no timeout.
    pub cli_connect_timeout: Option<u64>,
}

/// `--generate-cli-skeleton [input|output]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkeletonMode {
    Input,
    Output,
}

/// One operation call as the user typed it.
#[derive(Debug)]
pub struct OperationArgs {
    pub operation: &'static Operation,
    /// Member values given as options, by service-model name, in the operation's member order.
    /// Values are raw: `file://` and `fileb://` are expanded by `input`.
    pub params: Vec<(&'static str, String)>,
    pub cli_input_json: Option<String>,
    pub skeleton: Option<SkeletonMode>,
}

#[derive(Debug)]
pub enum Action {
    Version,
    /// Help text to print on stdout.
    Help(String),
    Run(OperationArgs),
}

#[derive(Debug)]
pub struct Invocation {
    pub globals: GlobalArgs,
    pub action: Action,
}

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `kvs/<version> <os>/<arch>`, printed by `--version` and sent in the User-Agent.
pub fn version_line() -> String {
    format!(
        "kvs/{VERSION} {}/{}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success (also --version, help and skeletons)
  252  usage: unknown or missing argument, bad value, bad --cli-input-json, invalid ARN, bad --query
  253  configuration: no region, no credentials, unknown profile, unreadable config file or CA bundle
  254  the service answered with an error (after retries)
  255  anything else: connection refused, timeout, TLS failure, malformed response
  130  interrupted";

const DISCOVERY_HELP: &str = "\
Endpoint discovery:
  Unless --endpoint-url names the WebRTC storage endpoint, kvs first calls the Kinesis Video
  control plane's GetSignalingChannelEndpoint (protocol WEBRTC, role MASTER, or VIEWER for
  join-storage-session-as-viewer) and then calls the operation on the endpoint it returns. The
  control plane is https://kinesisvideo.<region>.<partition DNS suffix> unless
  AWS_ENDPOINT_URL_KINESIS_VIDEO, the config file's services section (kinesis_video) or
  AWS_ENDPOINT_URL redirects it. The region comes from --region, AWS_REGION, AWS_DEFAULT_REGION,
  the profile, or else the channel ARN.

Retries:
  Transient failures (connection errors, timeouts, HTTP 500/502/503/504, throttling, including
  ClientLimitExceededException unless it reports a viewer limit) are retried under retry_mode
  (standard: 3 attempts; legacy: 5; adaptive). Each retried JoinStorageSession is a new call: set
  AWS_MAX_ATTEMPTS=1 for exactly one attempt.";

fn global_args() -> Vec<Arg> {
    let flag = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .action(ArgAction::SetTrue)
            .global(true)
            .help(help)
    };
    let value = |name: &'static str, value_name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name(value_name)
            .action(ArgAction::Set)
            .global(true)
            .help(help)
    };
    vec![
        flag(
            "debug",
            "Turn on debug logging on stderr (secrets are redacted).",
        ),
        value(
            "endpoint-url",
            "URL",
            "Use this WebRTC storage endpoint instead of discovering it with \
             GetSignalingChannelEndpoint.",
        )
        .value_parser(parse_endpoint_url),
        flag(
            "no-verify-ssl",
            "Do not verify TLS certificates (a warning is printed).",
        ),
        flag(
            "no-paginate",
            "Accepted for compatibility; these operations do not paginate.",
        ),
        value("output", "FORMAT", "The output format.")
            .value_parser(PossibleValuesParser::new(["json", "text", "table"])),
        value(
            "query",
            "JMESPATH",
            "A JMESPath query to apply to the response.",
        ),
        value(
            "profile",
            "NAME",
            "Use this profile from the shared config files.",
        ),
        value(
            "region",
            "REGION",
            "The region to use (default: the configured region, else the channel ARN's).",
        ),
        flag("version", "Print the version and exit."),
        value("color", "WHEN", "Colour for table output.")
            .value_parser(PossibleValuesParser::new(["on", "off", "auto"])),
        flag(
            "no-sign-request",
            "Do not sign requests; credentials are not loaded.",
        ),
        value(
            "ca-bundle",
            "PATH",
            "The PEM bundle of CA certificates to verify TLS with, instead of the bundled roots.",
        )
        .value_parser(clap::value_parser!(PathBuf)),
        value(
            "cli-read-timeout",
            "SECONDS",
            "The maximum socket read time in seconds; 0 means no timeout (default 60).",
        )
        .value_parser(parse_timeout)
        .allow_negative_numbers(true),
        value(
            "cli-connect-timeout",
            "SECONDS",
            "The maximum socket connect time in seconds; 0 means no timeout (default 60).",
        )
        .value_parser(parse_timeout)
        .allow_negative_numbers(true),
    ]
}

fn operation_command(op: &'static Operation) -> Command {
    let mut cmd = Command::new(op.cli_name)
        .about(op.about)
        .long_about(op.long_about)
        .after_long_help(format!("{DISCOVERY_HELP}\n\n{EXIT_CODES_HELP}"));
    for member in op.members {
        cmd = cmd.arg(
            Arg::new(member.name)
                .long(member.cli_name)
                .value_name("VALUE")
                .action(ArgAction::Set)
                .help(format!(
                    "{} Required. file://PATH reads the value from a file.",
                    member.help
                )),
        );
    }
    cmd.arg(
        Arg::new("cli-input-json")
            .long("cli-input-json")
            .value_name("JSON")
            .action(ArgAction::Set)
            .help(
                "Read the arguments from a JSON document (inline, file://PATH or fileb://PATH); \
                 options on the command line win.",
            ),
    )
    .arg(
        Arg::new("generate-cli-skeleton")
            .long("generate-cli-skeleton")
            .value_name("input|output")
            .num_args(0..=1)
            .default_missing_value("input")
            .value_parser(PossibleValuesParser::new(["input", "output"]))
            .help(
                "Print a JSON skeleton of the input (default), or validate the input and print \
                 the output skeleton.",
            ),
    )
    .arg(
        // `kvs join-storage-session help`, as with the AWS CLI.
        Arg::new("help-word")
            .value_name("help")
            .hide(true)
            .value_parser(PossibleValuesParser::new(["help"])),
    )
}

/// The whole command tree.
pub fn command() -> Command {
    let mut cmd = Command::new("kvs")
        .about("Join a Kinesis Video Streams WebRTC storage session")
        .long_about(
            "kvs does what `aws kinesis-video-webrtc-storage join-storage-session` does: it finds \
             the channel's WebRTC endpoint and joins its storage session, with the AWS CLI's \
             options, configuration files and output formats.",
        )
        .after_long_help(format!("{DISCOVERY_HELP}\n\n{EXIT_CODES_HELP}"))
        .disable_version_flag(true)
        .infer_long_args(true)
        .args_override_self(true)
        .subcommand_required(true)
        .subcommand_value_name("COMMAND")
        .args(global_args());
    for op in operations::OPERATIONS {
        cmd = cmd.subcommand(operation_command(op));
    }
    cmd
}

fn parse_timeout(value: &str) -> std::result::Result<u64, String> {
    value
        .parse::<u64>()
        .map_err(|_| "must be a whole number of seconds, 0 or more".to_string())
}

fn parse_endpoint_url(value: &str) -> std::result::Result<String, String> {
    let bad = || {
        format!(
            "Bad value for --endpoint-url \"{value}\": Must be of the form \
             http://<hostname>/ or https://<hostname>/"
        )
    };
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') || host.contains(char::is_whitespace) {
        return Err(bad());
    }
    Ok(value.to_string())
}

/// Parse argv (including the program name). Help and version are actions, not errors.
pub fn parse(args: Vec<OsString>) -> Result<Invocation> {
    let mut args = args;
    // `kvs help` and `kvs help COMMAND`: clap's help subcommand would not know our operations'
    // long help, so rewrite it to `--help`.
    if args.get(1).is_some_and(|a| a == "help") {
        args.remove(1);
        args.push("--help".into());
    }
    let matches = match command().try_get_matches_from(args.iter()) {
        Ok(m) => m,
        Err(err) => return parse_failure(err, &args),
    };
    let globals = globals_from(&matches);
    if globals_version(&matches) {
        return Ok(Invocation {
            globals,
            action: Action::Version,
        });
    }
    let (name, sub) = matches
        .subcommand()
        .ok_or_else(|| Error::usage("the following arguments are required: command"))?;
    let operation = operations::find(name).expect("clap only accepts known operations");
    if sub.contains_id("help-word") {
        let help = operation_help(operation);
        return Ok(Invocation {
            globals,
            action: Action::Help(help),
        });
    }
    let params = operation
        .members
        .iter()
        .filter_map(|m| sub.get_one::<String>(m.name).map(|v| (m.name, v.clone())))
        .collect();
    let skeleton = sub
        .get_one::<String>("generate-cli-skeleton")
        .map(|mode| match mode.as_str() {
            "output" => SkeletonMode::Output,
            _ => SkeletonMode::Input,
        });
    Ok(Invocation {
        globals,
        action: Action::Run(OperationArgs {
            operation,
            params,
            cli_input_json: sub.get_one::<String>("cli-input-json").cloned(),
            skeleton,
        }),
    })
}

fn operation_help(operation: &Operation) -> String {
    let mut cmd = command();
    // Building propagates the global options into the subcommand, so its help lists them.
    cmd.build();
    let sub = cmd
        .find_subcommand_mut(operation.cli_name)
        .expect("every operation has a subcommand");
    let mut sub = sub.clone().bin_name(format!("kvs {}", operation.cli_name));
    sub.render_long_help().to_string()
}

fn globals_version(matches: &ArgMatches) -> bool {
    matches.get_flag("version")
}

fn globals_from(matches: &ArgMatches) -> GlobalArgs {
    // Global args are propagated to the subcommand's matches; read from the deepest level.
    let m = matches.subcommand().map(|(_, s)| s).unwrap_or(matches);
    let string = |id: &str| m.get_one::<String>(id).cloned();
    GlobalArgs {
        debug: m.get_flag("debug"),
        endpoint_url: string("endpoint-url"),
        no_verify_ssl: m.get_flag("no-verify-ssl"),
        no_paginate: m.get_flag("no-paginate"),
        output: string("output").map(|o| o.parse().expect("clap checked the choice")),
        query: string("query"),
        profile: string("profile"),
        region: string("region"),
        color: match string("color").as_deref() {
            Some("on") => ColorMode::On,
            Some("off") => ColorMode::Off,
            _ => ColorMode::Auto,
        },
        no_sign_request: m.get_flag("no-sign-request"),
        ca_bundle: m.get_one::<PathBuf>("ca-bundle").cloned(),
        cli_read_timeout: m.get_one::<u64>("cli-read-timeout").copied(),
        cli_connect_timeout: m.get_one::<u64>("cli-connect-timeout").copied(),
    }
}

/// Turn clap's error into kvs's: help and version are actions; everything else is a one-line
/// usage error.
fn parse_failure(err: clap::Error, args: &[OsString]) -> Result<Invocation> {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return Ok(Invocation {
                globals: GlobalArgs::default(),
                action: Action::Help(err.render().to_string()),
            });
        }
        _ => {}
    }
    // `--version` anywhere wins over other problems, as with the AWS CLI.
    if args
        .iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--version")
    {
        return Ok(Invocation {
            globals: GlobalArgs::default(),
            action: Action::Version,
        });
    }
    Err(Error::usage(usage_message(&err)))
}

fn context_string(err: &clap::Error, kind: ContextKind) -> Option<String> {
    match err.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        other => Some(other.to_string()),
    }
}

/// Every long option (global and per operation) that `prefix` abbreviates.
fn long_options_starting_with(prefix: &str) -> Vec<String> {
    let Some(stem) = prefix.strip_prefix("--").filter(|s| !s.is_empty()) else {
        return Vec::new();
    };
    let cmd = command();
    let mut names: Vec<String> = Vec::new();
    let subcommands = cmd.get_subcommands().flat_map(|s| s.get_arguments());
    for arg in cmd.get_arguments().chain(subcommands) {
        if let Some(long) = arg.get_long() {
            let name = format!("--{long}");
            if long.starts_with(stem) && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// The option name from clap's "--name <VALUE>" rendering.
fn option_name(arg: &str) -> &str {
    arg.split([' ', '=']).next().unwrap_or(arg)
}

fn usage_message(err: &clap::Error) -> String {
    let arg = context_string(err, ContextKind::InvalidArg);
    let value = context_string(err, ContextKind::InvalidValue);
    match err.kind() {
        ErrorKind::UnknownArgument => {
            let arg = arg.unwrap_or_default();
            let candidates = long_options_starting_with(&arg);
            if candidates.len() > 1 {
                format!(
                    "ambiguous option: {arg} could match {}",
                    candidates.join(", ")
                )
            } else {
                format!("Unknown options: {arg}")
            }
        }
        ErrorKind::InvalidSubcommand => {
            let mut msg = format!(
                "argument command: Invalid choice: '{}', valid choices are: {}",
                context_string(err, ContextKind::InvalidSubcommand).unwrap_or_default(),
                operations::OPERATIONS
                    .iter()
                    .map(|o| o.cli_name)
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
            if let Some(suggested) = context_string(err, ContextKind::SuggestedSubcommand) {
                msg.push_str(&format!(" (maybe you meant: {suggested})"));
            }
            msg
        }
        ErrorKind::MissingSubcommand => "the following arguments are required: command".into(),
        ErrorKind::MissingRequiredArgument => format!(
            "the following arguments are required: {}",
            arg.map(|a| option_name(&a).to_string()).unwrap_or_default()
        ),
        ErrorKind::InvalidValue => {
            let arg = arg.unwrap_or_default();
            let name = option_name(&arg);
            if name == "[help]" || name == "help" {
                return format!("Unknown options: {}", value.unwrap_or_default());
            }
            match (value, context_string(err, ContextKind::ValidValue)) {
                (Some(v), _) if v.is_empty() => {
                    format!("argument {name}: expected one argument")
                }
                (Some(v), Some(valid)) => format!(
                    "argument {name}: Invalid choice '{v}', valid choices are: {}",
                    valid.replace(", ", " | ")
                ),
                (Some(v), None) => format!("argument {name}: invalid value '{v}'"),
                (None, _) => format!("argument {name}: expected one argument"),
            }
        }
        ErrorKind::ValueValidation => {
            let arg = arg.unwrap_or_default();
            let name = option_name(&arg);
            let reason = std::error::Error::source(err)
                .map(|s| s.to_string())
                .unwrap_or_default();
            if reason.starts_with("Bad value for") {
                reason
            } else {
                format!(
                    "argument {name}: invalid value '{}': {reason}",
                    value.unwrap_or_default()
                )
            }
        }
        ErrorKind::TooManyValues | ErrorKind::ArgumentConflict => {
            format!("Unknown options: {}", value.or(arg).unwrap_or_default())
        }
        _ => {
            let text = err.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            first.trim_start_matches("error: ").to_string()
        }
    }
}
