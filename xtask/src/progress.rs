//! Progress of long steps: a live line on a terminal, a line every 30 s otherwise (CI logs).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Runs `step` while showing its name and elapsed time; returns its result.
pub fn show<T>(name: &str, step: impl FnOnce() -> T + Send) -> T
where
    T: Send,
{
    /// Stops the ticker even when the step panics, so the scope can end.
    struct Done<'a>(&'a std::sync::atomic::AtomicBool);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let start = Instant::now();
    let done = std::sync::atomic::AtomicBool::new(false);
    let terminal = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        let ticker = scope.spawn(|| {
            let mut last_line = Instant::now();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(250));
                let elapsed = start.elapsed().as_secs();
                if terminal {
                    eprint!("\r  {name}… {}m{:02}s ", elapsed / 60, elapsed % 60);
                    let _ = std::io::stderr().flush();
                } else if last_line.elapsed() >= Duration::from_secs(30) {
                    eprintln!("  still {name}… {}m{:02}s", elapsed / 60, elapsed % 60);
                    last_line = Instant::now();
                }
            }
        });
        let result = {
            let _done = Done(&done);
            step()
        };
        let _ = ticker.join();
        let elapsed = start.elapsed().as_secs_f64();
        if terminal {
            eprint!("\r");
        }
        eprintln!("  {name}: done in {elapsed:.1}s");
        result
    })
}

/// The last `lines` lines of a log file, for error messages.
pub fn tail(path: &std::path::Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
