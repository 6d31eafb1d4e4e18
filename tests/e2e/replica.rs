//! The `database` example operator run as a process of its own, as a Deployment's replica
//! runs: started, signalled, and read through its log.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The `database` example: `$KUBE_SECONDARY_DATABASE` (`cargo xtask test` builds it once for
/// both suites), else built here once for every test that runs it.
fn database_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(built) = std::env::var_os("KUBE_SECONDARY_DATABASE") {
            return PathBuf::from(built);
        }
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let profile = kube_secondary_build::Profile::Debug;
        kube_secondary_build::binary(repo, "kube-secondary-examples", "database", profile)
            .expect("build the database example")
    })
}

/// One replica: its process and its log.
pub struct Replica {
    pub name: &'static str,
    pub child: Child,
    log: PathBuf,
}

impl Replica {
    /// Starts the `database` operator as `name` (its `POD_NAME`), watching `namespace`, with
    /// `args` besides.
    pub fn start(name: &'static str, namespace: &str, args: &[&str]) -> Self {
        Self::start_as(name, namespace, args, None)
    }

    /// [`start_as`](Self::start_as), serving `/metrics`, `/healthz` and `/readyz` on a port of
    /// its own, which it returns beside the replica.
    pub fn start_serving(
        name: &'static str,
        namespace: &str,
        kubeconfig: Option<&Path>,
    ) -> (Self, u16) {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let replica = Self::start_as(name, namespace, &["--metrics-addr", &addr], kubeconfig);
        (replica, port)
    }

    /// [`start`](Self::start), with the credentials of `kubeconfig` instead of `$KUBECONFIG`'s.
    pub fn start_as(
        name: &'static str,
        namespace: &str,
        args: &[&str],
        kubeconfig: Option<&Path>,
    ) -> Self {
        let log = std::env::temp_dir().join(format!("{namespace}-{name}.log"));
        let file = std::fs::File::create(&log).expect("create the replica's log");
        let mut command = Command::new(database_binary());
        if let Some(kubeconfig) = kubeconfig {
            command.env("KUBECONFIG", kubeconfig);
        }
        let child = command
            .args(["--namespace", namespace])
            .args(args)
            .env("POD_NAME", name)
            .env("NO_COLOR", "1")
            // The example's own default filter, as a deployed operator would run, unless
            // `KUBE_SECONDARY_REPLICA_LOG` asks for more to diagnose a failure.
            .env_remove("RUST_LOG")
            .envs(std::env::var("KUBE_SECONDARY_REPLICA_LOG").map(|log| ("RUST_LOG", log)))
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .expect("start the database operator");
        Self { name, child, log }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The times of the writes this replica logged (one info line per write it decides).
    pub fn writes(&self) -> Vec<String> {
        let writes = [
            "applying:",
            "created",
            "deleted",
            "status written",
            "pruning:",
        ];
        self.log()
            .lines()
            .filter(|line| writes.iter().any(|write| line.contains(write)))
            .filter_map(|line| line.split_whitespace().next().map(str::to_string))
            .collect()
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .stdout(Stdio::null())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} {}", self.name);
    }
}

impl Drop for Replica {
    /// Stops the process; when a test fails, its log is printed first.
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("---- log of {} ----\n{}", self.name, self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A port on 127.0.0.1 nothing listens on now, for a replica's `--metrics-addr`.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// The value of the series `series` (name and labels, as the text format prints them) on the
/// `/metrics` a replica serves on `port`; 0 when absent or not served yet.
pub fn metric(port: u16, series: &str) -> f64 {
    metrics_text(port)
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// The `/metrics` a replica serves on `port`, as text; empty when it does not answer.
pub fn metrics_text(port: u16) -> String {
    get(port, "/metrics")
}

/// What a replica serving on `port` answers to `GET path`, status line included; empty when it
/// does not answer.
pub fn get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let _ = stream.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes());
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    text
}
