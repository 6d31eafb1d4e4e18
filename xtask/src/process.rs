//! Detached processes: started in a process group of their own (so they outlive xtask), checked,
//! and stopped by their recorded pid only.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::progress;

/// Starts `binary` with its output in `<logs>/<name>.log`; returns its pid (also its group id).
pub fn spawn(name: &str, binary: &Path, args: &[String], logs: &Path) -> anyhow::Result<i32> {
    let log = std::fs::File::create(logs.join(format!("{name}.log")))?;
    let child = Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", binary.display()))?;
    Ok(child.id() as i32)
}

/// Whether `pid` runs `name` (reaping it first if it is our exited child). The command line is
/// checked where `/proc` exists, so a pid reused after a crash or reboot is never taken for ours.
pub fn alive(pid: i32, name: &str) -> bool {
    let mut status = 0;
    // SAFETY: waitpid with WNOHANG only reaps an exited child of ours; kill with signal 0 only checks.
    let exists = unsafe {
        libc::waitpid(pid, &mut status, libc::WNOHANG);
        libc::kill(pid, 0) == 0
    };
    if !exists || zombie(pid) {
        return false;
    }
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => {
            let program = cmdline.split(|b| *b == 0).next().unwrap_or_default();
            let program = Path::new(std::str::from_utf8(program).unwrap_or_default());
            // Empty while the kernel is still setting up a fresh exec: too early to tell.
            program.as_os_str().is_empty() || program.file_name().is_some_and(|file| file == name)
        }
        Err(_) => !Path::new("/proc/self").exists(),
    }
}

/// Whether `pid` has exited but is not reaped yet (state `Z` in `/proc/<pid>/stat`).
fn zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
        state.is_some_and(|rest| rest.starts_with('Z') || rest.starts_with('X'))
    })
}

fn signal_group(pid: i32, signal: i32) {
    // SAFETY: signals the process group we created for `pid` (process_group(0) made pid the pgid).
    unsafe {
        libc::kill(-pid, signal);
    }
}

/// Stops the process group of `pid` if it still runs `name`: SIGTERM, then SIGKILL after 10 s.
pub fn stop(name: &str, pid: i32) {
    if !alive(pid, name) {
        return;
    }
    signal_group(pid, libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid, name) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    if alive(pid, name) {
        tracing::warn!("{name} (pid {pid}) ignored SIGTERM for 10 s; killing it");
        signal_group(pid, libc::SIGKILL);
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(pid, name) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Fails, saying what to do, when `port` on 127.0.0.1 is taken.
pub fn check_port(port: u16, flag: &str) -> anyhow::Result<()> {
    TcpListener::bind(("127.0.0.1", port)).map(drop).map_err(|e| {
        anyhow::anyhow!(
            "port {port} on 127.0.0.1 is in use ({e}); stop what listens there (`ss -ltnp | grep {port}`), \
             or pick another port with `{flag}`, or leave `{flag}` out to use a free one"
        )
    })
}

/// The end of a log, prefixed by its path, for error messages.
fn log_excerpt(log: &Path) -> String {
    format!("log: {}\n{}", log.display(), progress::tail(log, 25))
}

/// Polls `ready` until it returns true; fails with the log tail if the process dies or time
/// runs out.
pub fn wait_ready(
    name: &str,
    pid: i32,
    log: &Path,
    limit: Duration,
    mut ready: impl FnMut() -> bool,
) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if ready() {
            return Ok(());
        }
        if !alive(pid, name) {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if text.contains("address already in use") {
                anyhow::bail!(
                    "{name} could not listen: a port it was given is in use (something took it after \
                     it was picked); run `cargo xtask cluster up` again to pick new ports\n{}",
                    log_excerpt(log)
                );
            }
            anyhow::bail!("{name} exited during start-up; {}", log_excerpt(log));
        }
        if start.elapsed() > limit {
            anyhow::bail!(
                "{name} was not ready within {limit:?}; {}",
                log_excerpt(log)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether `GET http://127.0.0.1:port/path` answers 200 (etcd's plain-HTTP health endpoint).
pub fn http_ok(port: u16, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes())
        .is_err()
    {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200")
}

/// Holds an exclusive lock on a file until dropped, so two `cluster up`s do not race.
pub struct Lock {
    _file: std::fs::File,
}

impl Lock {
    /// Takes the lock on `path`, waiting (and saying that `holder` holds it) while another
    /// process does.
    pub fn take(path: &Path, holder: &str) -> anyhow::Result<Self> {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::create(path)?;
        // SAFETY: flock on a file descriptor we own; released when the file is closed.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            tracing::info!(
                "{holder} holds {}; waiting for it to finish",
                path.display()
            );
            // SAFETY: as above, blocking this time.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                anyhow::bail!("cannot lock {}", path.display());
            }
        }
        Ok(Self { _file: file })
    }
}
