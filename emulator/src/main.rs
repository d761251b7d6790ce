//! `kvs-emulator`: serve until SIGINT/SIGTERM, or `exec` a command against a fresh emulator.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use clap::{Args, Parser, Subcommand};
use kvs_emulator::{Emulator, Options, Tls};
use tokio::signal::unix::{signal, SignalKind};

/// A local Kinesis Video control plane and WebRTC storage endpoint that verifies SigV4.
#[derive(Parser)]
#[command(name = "kvs-emulator", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Subcommand)]
enum Sub {
    /// Start on free ports, run COMMAND with AWS_ENDPOINT_URL, credentials and region set to
    /// the emulator's, stop when it exits and exit with its code.
    Exec {
        #[command(flatten)]
        server: ServerArgs,
        /// Log each request on stderr.
        #[arg(long)]
        verbose: bool,
        /// The command and its arguments.
        #[arg(required = true, last = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
}

#[derive(Args, Clone)]
struct ServerArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The control plane's port (0: any free port).
    #[arg(long, default_value_t = 4566)]
    port: u16,
    /// The WebRTC storage endpoint's port (0: any free port).
    #[arg(long, default_value_t = 0)]
    storage_port: u16,
    /// Serve the storage endpoint on the control plane's listener.
    #[arg(long)]
    same_listener: bool,
    /// The region requests must be signed for.
    #[arg(long, default_value = kvs_emulator::DEFAULT_REGION)]
    region: String,
    /// The access key requests must be signed with.
    #[arg(long, default_value = kvs_emulator::DEFAULT_ACCESS_KEY_ID)]
    access_key_id: String,
    /// The secret key requests must be signed with.
    #[arg(long, default_value = kvs_emulator::DEFAULT_SECRET_ACCESS_KEY)]
    secret_access_key: String,
    /// Require this X-Amz-Security-Token on every request.
    #[arg(long)]
    session_token: Option<String>,
    /// Seed an ACTIVE, storage-enabled SINGLE_MASTER channel with this ARN (repeatable).
    #[arg(long = "channel", value_name = "ARN")]
    channels: Vec<String>,
    /// Seed the channels listed in FILE, one ARN per line (# starts a comment).
    #[arg(long, value_name = "FILE")]
    channels_file: Option<PathBuf>,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key for --tls-cert (PEM).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate signed by a CA made up on the spot; its PEM is printed
    /// (and, under exec, passed on in AWS_CA_BUNDLE).
    #[arg(long, conflicts_with = "tls_cert")]
    tls_generate: bool,
    /// Do not log requests.
    #[arg(long)]
    quiet: bool,
}

impl ServerArgs {
    fn options(&self, verbose: bool, free_ports: bool) -> Result<Options, String> {
        let mut channels = self.channels.clone();
        if let Some(path) = &self.channels_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            for (number, line) in text.lines().enumerate() {
                let arn = line.split('#').next().unwrap_or("").trim();
                if arn.is_empty() {
                    continue;
                }
                if !kvs_emulator::is_channel_arn(arn) {
                    return Err(format!(
                        "{}:{}: {}",
                        path.display(),
                        number + 1,
                        bad_channel_arn(arn)
                    ));
                }
                channels.push(arn.to_string());
            }
        }
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert_pem), Some(key_pem)) => Tls::Files {
                cert_pem: cert_pem.clone(),
                key_pem: key_pem.clone(),
            },
            _ if self.tls_generate => Tls::Generate,
            _ => Tls::None,
        };
        Ok(Options {
            region: self.region.clone(),
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: self.session_token.clone(),
            channels,
            tls,
            separate_storage_listener: !self.same_listener,
            host: self.host,
            port: if free_ports { 0 } else { self.port },
            storage_port: if free_ports { 0 } else { self.storage_port },
            verbose,
            journal_capacity: kvs_emulator::JOURNAL_CAPACITY,
        })
    }
}

fn bad_channel_arn(arn: &str) -> String {
    format!("'{arn}' is not a signaling channel ARN (arn:aws:kinesisvideo:REGION:ACCOUNT:channel/NAME/NUMBER)")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A mistyped --channel is a usage error, reported as clap reports those: exit 2.
    let server = match &cli.command {
        Some(Sub::Exec { server, .. }) => server,
        None => &cli.server,
    };
    if let Some(bad) = server
        .channels
        .iter()
        .find(|arn| !kvs_emulator::is_channel_arn(arn))
    {
        eprintln!("kvs-emulator: --channel: {}", bad_channel_arn(bad));
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Some(Sub::Exec {
            server,
            verbose,
            command,
        }) => exec(&server, verbose, &command),
        None => serve(&cli.server),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("kvs-emulator: {message}");
            ExitCode::from(1)
        }
    }
}

fn start(server: &ServerArgs, verbose: bool, free_ports: bool) -> Result<Emulator, String> {
    let options = server.options(verbose, free_ports)?;
    let (host, port) = (options.host, options.port);
    Emulator::start(options).map_err(|e| format!("cannot listen on {host}:{port}: {e}"))
}

fn serve(server: &ServerArgs) -> Result<ExitCode, String> {
    // Listen for signals before announcing anything, so that none is missed.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|e| e.to_string())?;
    let mut term = runtime
        .block_on(async { signal(SignalKind::terminate()) })
        .map_err(|e| e.to_string())?;
    let mut interrupt = runtime
        .block_on(async { signal(SignalKind::interrupt()) })
        .map_err(|e| e.to_string())?;
    let emulator = start(server, !server.quiet, false)?;
    let mut stdout = std::io::stdout();
    // The first line is read by scripts: both URLs, control plane first.
    let _ = writeln!(
        stdout,
        "kvs-emulator listening: control plane {}, WebRTC storage {} (region {}, access key {})",
        emulator.control_url(),
        emulator.storage_url(),
        server.region,
        server.access_key_id
    );
    if let Some(pem) = emulator.ca_pem() {
        let _ = write!(stdout, "Trust this CA (e.g. --ca-bundle):\n{pem}");
    }
    let _ = stdout.flush();
    runtime.block_on(async {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
    });
    drop(emulator);
    Ok(ExitCode::SUCCESS)
}

fn exec(server: &ServerArgs, verbose: bool, command: &[String]) -> Result<ExitCode, String> {
    let emulator = start(server, verbose, true)?;
    let mut child = Command::new(&command[0]);
    child
        .args(&command[1..])
        .env("AWS_ENDPOINT_URL", emulator.control_url())
        .env("AWS_ACCESS_KEY_ID", &server.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &server.secret_access_key)
        .env("AWS_REGION", &server.region)
        .env("AWS_DEFAULT_REGION", &server.region)
        // The user's own profile or token must not leak into requests to the emulator.
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env_remove("AWS_SECURITY_TOKEN")
        .env_remove("AWS_ENDPOINT_URL_KINESIS_VIDEO")
        .env_remove("AWS_ENDPOINT_URL_KINESIS_VIDEO_WEBRTC_STORAGE");
    match &server.session_token {
        Some(token) => child.env("AWS_SESSION_TOKEN", token),
        None => child.env_remove("AWS_SESSION_TOKEN"),
    };
    // Removed however exec ends, including when the command cannot start.
    let ca_file = match emulator.ca_pem() {
        Some(pem) => {
            let file = TempFile::create("kvs-emulator-ca", ".pem", pem.as_bytes())
                .map_err(|e| format!("cannot write the CA: {e}"))?;
            child.env("AWS_CA_BUNDLE", &file.0);
            Some(file)
        }
        None => {
            // A global AWS_CA_BUNDLE would replace the trust roots for nothing over plain HTTP.
            child.env_remove("AWS_CA_BUNDLE");
            None
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|e| e.to_string())?;
    let status = runtime.block_on(run_forwarding_signals(child, &command[0]))?;
    drop(emulator);
    drop(ca_file);
    let Some(status) = status else {
        return Ok(ExitCode::from(127));
    };
    let code = match status.code() {
        Some(code) => code,
        None => {
            use std::os::unix::process::ExitStatusExt;
            128 + status.signal().unwrap_or(0)
        }
    };
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

/// Run the command until it exits, passing SIGTERM and SIGHUP on to it so that it can clean up
/// and its exit status is what we report. None when it cannot start.
async fn run_forwarding_signals(
    child: Command,
    program: &str,
) -> Result<Option<std::process::ExitStatus>, String> {
    // Catch the signals before the command exists, so that none arrives unhandled in between.
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut hangup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
    let mut running = match tokio::process::Command::from(child).spawn() {
        Ok(running) => running,
        Err(e) => {
            eprintln!("kvs-emulator: cannot run {program}: {e}");
            return Ok(None);
        }
    };
    // The terminal's Ctrl-C reaches the child too; let it decide, and report its exit. Set
    // only after spawning: an ignored signal would stay ignored in the child.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
    }
    let pid = running.id().and_then(|id| libc::pid_t::try_from(id).ok());
    let forward = |signal: libc::c_int| {
        if let Some(pid) = pid {
            unsafe {
                libc::kill(pid, signal);
            }
        }
    };
    loop {
        tokio::select! {
            status = running.wait() => return status.map(Some).map_err(|e| e.to_string()),
            _ = term.recv() => forward(libc::SIGTERM),
            _ = hangup.recv() => forward(libc::SIGHUP),
        }
    }
}

/// A file only this process can read, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn create(prefix: &str, suffix: &str, contents: &[u8]) -> std::io::Result<TempFile> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{:016x}{suffix}",
            std::process::id(),
            fastrand::u64(..)
        ));
        // create_new: never write through a file or link someone else put there.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        let file_guard = TempFile(path);
        file.write_all(contents)?;
        Ok(file_guard)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
