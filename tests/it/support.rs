//! Runs the real `kvs` binary in a scrubbed environment with a temporary HOME.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const ARN: &str = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1234567890123";

pub fn fixture(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Outcome {
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success, got {self:#?}");
        self
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        self
    }

    /// A one-line `kvs: error: ...` usage error with exit 252.
    #[track_caller]
    pub fn assert_usage_error(&self, message: &str) -> &Self {
        assert_eq!(self.code, 252, "expected a usage error: {self:#?}");
        assert_eq!(self.stderr, format!("kvs: error: {message}\n"));
        assert_eq!(self.stdout, "");
        self
    }
}

/// A kvs invocation: no inherited environment beyond PATH, HOME in a fresh temporary directory.
pub struct Kvs {
    args: Vec<String>,
    env: Vec<(String, String)>,
    home: tempfile::TempDir,
    cwd: Option<PathBuf>,
}

pub fn kvs<I, S>(args: I) -> Kvs
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    Kvs {
        args: args.into_iter().map(|a| a.as_ref().to_string()).collect(),
        env: Vec::new(),
        home: tempfile::tempdir().expect("temporary HOME"),
        cwd: None,
    }
}

impl Kvs {
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_string());
        self
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Write a file under HOME (e.g. `.aws/config`) and return its path.
    pub fn home_file(self, relative: &str, contents: &str) -> Self {
        let path = self.home.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        self
    }

    pub fn cwd(mut self, dir: &Path) -> Self {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvs"));
        cmd.args(&self.args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("LANG", "C.UTF-8")
            .current_dir(self.cwd.as_deref().unwrap_or(self.home.path()))
            .stdin(Stdio::null());
        for (name, value) in &self.env {
            cmd.env(name, value);
        }
        cmd
    }

    pub fn run(&self) -> Outcome {
        let output = self.command().output().expect("kvs runs");
        Outcome {
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
            code: output.status.code().unwrap_or(-1),
        }
    }
}
