// kvs's start-up is most of what a skeleton or a single join costs, so the C `main` is ours:
// std's runtime set-up would find the main thread's stack guard by parsing /proc/self/maps
// (15% of the instructions kvs runs for `--generate-cli-skeleton`, see docs/performance.md).
// What of that set-up kvs relies on is done here by hand; arguments still reach
// `std::env::args_os`, which glibc hands to std before `main` runs.
#![no_main]

use std::io::{IsTerminal, Write};

use kvs::settings::Env;

extern "C" fn on_sigint(_: libc::c_int) {
    // Only async-signal-safe calls here.
    unsafe { libc::_exit(130) }
}

#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    reopen_closed_standard_streams();
    // SAFETY: setting dispositions before any other thread exists; the SIGINT handler only
    // calls _exit. A closed stdout reader is an EPIPE error kvs reports, not a signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
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
    let code = kvs::run(std::env::args_os().collect(), &env, &mut io);
    // std flushes stdout on its way out of its own `main`, not ours.
    let _ = stdout.flush();
    libc::c_int::from(code)
}

/// As std's runtime does: a standard stream that was closed when kvs started is pointed at
/// /dev/null, so that a file kvs opens cannot take its descriptor and receive its output.
fn reopen_closed_standard_streams() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: fds is a valid array of three pollfd; open takes a NUL-terminated path.
    unsafe {
        if libc::poll(fds.as_mut_ptr(), 3, 0) == -1 {
            return;
        }
        for pollfd in fds {
            if pollfd.revents & libc::POLLNVAL != 0
                && libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) == -1
            {
                libc::_exit(255);
            }
        }
    }
}
