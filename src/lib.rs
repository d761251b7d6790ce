//! kvs: join a Kinesis Video Streams WebRTC storage session.
//!
//! `run` is the whole program: parse, load the input, resolve settings, call, format, report.

pub mod cli;
pub mod config;
pub mod endpoints;
pub mod error;
pub mod http;
pub mod input;
pub mod operations;
pub mod output;
pub mod service;
pub mod settings;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use crate::cli::{Action, ColorMode, GlobalArgs, OperationArgs, SkeletonMode};
use crate::error::{Error, Result};
use crate::http::client::{ClientOptions, Proxies};
use crate::http::debug::DebugLog;
use crate::input::Input;
use crate::output::Query;
use crate::service::{Caller, Response, RetryPolicy};
use crate::settings::{Env, Settings};

/// Where the program's output goes.
pub struct Io<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Decides `--color auto`.
    pub stdout_is_tty: bool,
    /// Resolves relative `file://` paths.
    pub cwd: PathBuf,
}

/// Run kvs and return its exit code. Every error is reported here, once.
pub fn run(args: Vec<OsString>, env: &Env, io: &mut Io) -> u8 {
    match execute(args, env, io) {
        Ok(()) => 0,
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            let _ = io.stderr.write_all(e.render().as_bytes());
            let _ = io.stderr.flush();
            e.exit_code()
        }
    }
}

/// A reader that went away (`kvs ... | head -c0`) is not an error.
fn is_broken_pipe(e: &Error) -> bool {
    e.message() == "broken pipe"
}

fn write_stdout(io: &mut Io, text: &str) -> Result<()> {
    io.stdout
        .write_all(text.as_bytes())
        .and_then(|()| io.stdout.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Error::other("broken pipe"),
            _ => Error::other(format!("Unable to write output: {e}")),
        })
}

fn execute(args: Vec<OsString>, env: &Env, io: &mut Io) -> Result<()> {
    if let Some(bad) = args.iter().find(|a| a.to_str().is_none()) {
        return Err(Error::usage(format!(
            "argument {} is not valid UTF-8",
            bad.to_string_lossy()
        )));
    }
    let invocation = cli::parse(args)?;
    match invocation.action {
        Action::Version => write_stdout(io, &format!("{}\n", cli::version_line())),
        Action::Help(text) => write_stdout(io, &text),
        Action::Run(op_args) => run_operation(&invocation.globals, &op_args, env, io),
    }
}

fn run_operation(
    globals: &GlobalArgs,
    op_args: &OperationArgs,
    env: &Env,
    io: &mut Io,
) -> Result<()> {
    let operation = op_args.operation;
    let home = env.home();
    let input = input::load(op_args, &io.cwd, home.as_deref())?;
    if op_args.skeleton == Some(SkeletonMode::Input) {
        return write_stdout(io, &input::input_skeleton(operation));
    }
    let query = globals.query.as_deref().map(Query::compile).transpose()?;
    let settings = Settings::resolve(globals, env, Some(input.channel_arn()))?;
    let color = match globals.color {
        ColorMode::On => true,
        ColorMode::Off => false,
        ColorMode::Auto => io.stdout_is_tty,
    };
    let response = if op_args.skeleton == Some(SkeletonMode::Output) {
        // These operations have no output members: the skeleton is an empty response.
        serde_json::Value::Object(Default::default())
    } else {
        call_service(&settings, &input, env, io)?.body
    };
    output::render(
        &response,
        query.as_ref(),
        settings.output.value,
        color,
        operation.name,
        io.stdout,
    )
}

fn call_service(settings: &Settings, input: &Input, env: &Env, io: &mut Io) -> Result<Response> {
    let log = DebugLog::new(settings.debug, Box::new(&mut *io.stderr));
    log.line(&format!(
        "{} running {}",
        cli::version_line(),
        input.operation.name
    ));
    for line in settings.describe() {
        log.line(&line);
    }
    for warning in &settings.warnings {
        log.warn(&format!("kvs: warning: {warning}"));
    }
    let options = client_options(settings, env);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::other(format!("Unable to start the I/O runtime: {e}")))?;
    runtime.block_on(async {
        let client = http::client::build(&options)?;
        let credentials = if settings.sign_requests {
            log.line(&format!(
                "credentials from {}",
                settings.credentials.describe()
            ));
            let credentials = settings.credentials.resolve(&client).await?;
            if let Some(c) = &credentials {
                log.add_secret(c.secret_access_key());
                if let Some(token) = c.session_token() {
                    log.add_secret(token);
                }
            }
            credentials
        } else {
            log.line("--no-sign-request: requests are not signed");
            None
        };
        let retry = RetryPolicy {
            mode: settings.retry_mode.value,
            max_attempts: settings.max_attempts.value,
            backoff_scale: env
                .get("KVS_TEST_BACKOFF_SCALE")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1.0),
        };
        let mut caller = Caller::new(
            client,
            credentials,
            settings.region.value.clone(),
            retry,
            &log,
        );
        caller.warn_unverified_tls = !settings.verify_ssl;
        let storage_endpoint = match &settings.storage_endpoint {
            Some(endpoint) => {
                log.line(&format!(
                    "WebRTC endpoint {} (from {}): no discovery",
                    endpoint.value, endpoint.source
                ));
                endpoint.value.clone()
            }
            None => {
                let control_plane = match &settings.control_plane_endpoint {
                    Some(endpoint) => {
                        log.line(&format!(
                            "control plane {} (from {})",
                            endpoint.value, endpoint.source
                        ));
                        endpoint.value.clone()
                    }
                    None => {
                        let url = endpoints::control_plane_url(
                            &settings.region.value,
                            settings.use_fips.value,
                            settings.use_dualstack.value,
                        )?;
                        log.line(&format!("control plane {url} (from the endpoint rules)"));
                        url
                    }
                };
                caller
                    .discover_webrtc_endpoint(
                        &control_plane,
                        input.channel_arn(),
                        input.operation.role,
                    )
                    .await?
            }
        };
        caller.invoke(&storage_endpoint, input).await
    })
}

fn client_options(settings: &Settings, env: &Env) -> ClientOptions {
    let either = |upper: &str, lower: &str| {
        env.non_empty(upper)
            .or_else(|| env.non_empty(lower))
            .map(str::to_string)
    };
    ClientOptions {
        ca_bundle: settings.ca_bundle.as_ref().map(|c| c.value.clone()),
        verify_ssl: settings.verify_ssl,
        connect_timeout: settings.connect_timeout,
        read_timeout: settings.read_timeout,
        proxies: Proxies {
            https: either("HTTPS_PROXY", "https_proxy"),
            http: either("HTTP_PROXY", "http_proxy"),
            no_proxy: either("NO_PROXY", "no_proxy"),
        },
        user_agent: format!(
            "kvs/{} ua/2.1 os/{} md/arch#{} lang/rust cfg/retry-mode#{}",
            cli::VERSION,
            std::env::consts::OS,
            std::env::consts::ARCH,
            match settings.retry_mode.value {
                http::retry::RetryMode::Standard => "standard",
                http::retry::RetryMode::Legacy => "legacy",
                http::retry::RetryMode::Adaptive => "adaptive",
            }
        ),
    }
}
