use std::io::IsTerminal;
use std::process::ExitCode;

use kvs::settings::Env;

extern "C" fn on_sigint(_: libc::c_int) {
    // Only async-signal-safe calls here.
    unsafe { libc::_exit(130) }
}

fn main() -> ExitCode {
    // SAFETY: the handler only calls _exit.
    unsafe {
        libc::signal(libc::SIGINT, on_sigint as *const () as libc::sighandler_t);
    }
    let env = Env::from_os(std::env::vars_os());
    let stdout = std::io::stdout();
    let stdout_is_tty = stdout.is_terminal();
    let mut stdout = stdout.lock();
    let mut stderr = std::io::stderr().lock();
    let mut io = kvs::Io {
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdout_is_tty,
        cwd: std::env::current_dir().unwrap_or_default(),
    };
    ExitCode::from(kvs::run(std::env::args_os().collect(), &env, &mut io))
}
