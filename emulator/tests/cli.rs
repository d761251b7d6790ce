//! The `kvs-emulator` binary: serving until SIGTERM, and `exec`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// An empty directory for one test, used as HOME and TMPDIR; removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("kvs-emulator-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary with nothing of the user's environment but PATH, and a stray profile and token
/// it must not pass on.
fn emulator(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvs-emulator"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("TMPDIR", home)
        .env("AWS_SESSION_TOKEN", "from-the-users-shell")
        .env("AWS_PROFILE", "from-the-users-shell");
    cmd
}

fn kill(pid: u32, signal: libc::c_int) {
    unsafe {
        libc::kill(pid as libc::pid_t, signal);
    }
}

fn is_alive(pid: u32) -> bool {
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// The first line the child writes on its (piped) stdout.
fn first_line(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    line
}

fn wait_at_most(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn exec_runs_the_command_against_the_emulator_and_passes_its_exit_code() {
    let home = Scratch::new("exit-code");
    let out = emulator(&home.0)
        .args(["exec", "--region", "eu-west-1", "--", "sh", "-c"])
        .arg(concat!(
            "echo \"$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_REGION $AWS_DEFAULT_REGION ",
            "${AWS_SESSION_TOKEN:-no-token} ${AWS_PROFILE:-no-profile}\"; ",
            "case \"$AWS_ENDPOINT_URL\" in http://127.0.0.1:*) exit 7;; esac; exit 1"
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "test test eu-west-1 eu-west-1 no-token no-profile\n"
    );
}

#[test]
fn exec_reports_a_command_that_cannot_start() {
    let home = Scratch::new("cannot-start");
    let out = emulator(&home.0)
        .args(["exec", "--tls-generate", "--", "/nonexistent/command"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("kvs-emulator: cannot run"));
    // The CA bundle written for the command is gone too.
    assert_eq!(home.files(), Vec::<PathBuf>::new());
}

#[test]
fn serve_prints_its_urls_first_and_stops_on_sigterm() {
    let home = Scratch::new("serve");
    let mut child = emulator(&home.0)
        .args([
            "--port",
            "0",
            "--channel",
            "arn:aws:kinesisvideo:us-west-2:1:channel/a/1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = first_line(&mut child);
    assert!(
        line.starts_with("kvs-emulator listening: control plane http://127.0.0.1:"),
        "{line}"
    );
    assert!(line.contains(", WebRTC storage http://127.0.0.1:"));
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    assert!(child.wait().unwrap().success());
}

/// Start `exec` with a command that prints its pid and AWS_CA_BUNDLE, then sleeps.
fn exec_sleeping(home: &Scratch) -> (Child, u32, String) {
    let mut child = emulator(&home.0)
        .args(["exec", "--tls-generate", "--", "sh", "-c"])
        .arg("echo $$ \"$AWS_CA_BUNDLE\"; exec sleep 30")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = first_line(&mut child);
    let (pid, ca) = line.trim_end().split_once(' ').unwrap();
    (child, pid.parse().unwrap(), ca.to_string())
}

#[test]
fn exec_passes_sigterm_on_and_exits_as_the_command_did() {
    let home = Scratch::new("sigterm");
    let (mut child, sleeper, ca) = exec_sleeping(&home);
    assert!(Path::new(&ca).starts_with(&home.0), "{ca}");
    assert!(Path::new(&ca).is_file());
    let sent = Instant::now();
    kill(child.id(), libc::SIGTERM);
    let status = wait_at_most(&mut child, Duration::from_secs(5));
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{status:?}");
    assert!(sent.elapsed() < Duration::from_secs(5));
    // The emulator reaped the command, so its pid is gone, and the CA bundle was removed.
    assert!(!is_alive(sleeper));
    assert_eq!(home.files(), Vec::<PathBuf>::new());
}

#[test]
fn exec_passes_sighup_on() {
    let home = Scratch::new("sighup");
    let (mut child, sleeper, _) = exec_sleeping(&home);
    kill(child.id(), libc::SIGHUP);
    let status = wait_at_most(&mut child, Duration::from_secs(5));
    assert_eq!(status.code(), Some(128 + libc::SIGHUP), "{status:?}");
    assert!(!is_alive(sleeper));
    assert_eq!(home.files(), Vec::<PathBuf>::new());
}

#[test]
fn a_malformed_channel_arn_is_a_usage_error() {
    let home = Scratch::new("bad-channel");
    for bad in [
        "demo",
        "arn:aws:kinesisvideo:us-west-2:1:stream/demo/1",
        "arn:aws:kinesisvideo:us-west-2:1:channel/demo",
    ] {
        for exec in [false, true] {
            let mut cmd = emulator(&home.0);
            if exec {
                cmd.arg("exec");
            }
            cmd.args(["--port", "0", "--channel", bad]);
            if exec {
                cmd.args(["--", "true"]);
            }
            let out = cmd.output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{bad} {out:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.starts_with(&format!(
                    "kvs-emulator: --channel: '{bad}' is not a signaling channel ARN"
                )),
                "{stderr}"
            );
            assert!(out.stdout.is_empty());
        }
    }
}
