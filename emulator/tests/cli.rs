//! The `kvs-emulator` binary: serving until SIGTERM, and `exec`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn emulator() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvs-emulator"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_SESSION_TOKEN", "from-the-users-shell")
        .env("AWS_PROFILE", "from-the-users-shell");
    cmd
}

#[test]
fn exec_runs_the_command_against_the_emulator_and_passes_its_exit_code() {
    let out = emulator()
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
    let out = emulator()
        .args(["exec", "--", "/nonexistent/command"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("kvs-emulator: cannot run"));
}

#[test]
fn serve_prints_its_urls_first_and_stops_on_sigterm() {
    let mut child = emulator()
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
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
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
