//! Builds one of the project's binaries with cargo and says where cargo put it, read from cargo's
//! artifact messages: `CARGO_TARGET_DIR`, `--target-dir` in a cargo config and the build profile
//! are honoured, never guessed. Used by `xtask` (the primary-all API server) and the benchmark
//! (its contestants and the API server).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The cargo profile to build with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// `dev`, as `cargo build` builds.
    Debug,
    /// `--release`.
    Release,
}

/// Builds the binary `bin` of `package` in the workspace at `repo` with `profile`, and returns its
/// path. Cargo's diagnostics go to this process's standard error.
pub fn binary(repo: &Path, package: &str, bin: &str, profile: Profile) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(repo)
        .args(["build", "--message-format=json-render-diagnostics"])
        .args(["-p", package, "--bin", bin]);
    if profile == Profile::Release {
        command.arg("--release");
    }
    let mut build = command.stdout(Stdio::piped()).spawn()?;
    let stdout = build.stdout.take().expect("stdout is piped");
    let mut built = None;
    for line in std::io::BufReader::new(stdout).lines() {
        built = built.or(executable(&line?, bin));
    }
    anyhow::ensure!(
        build.wait()?.success(),
        "cargo build of {package} --bin {bin} failed"
    );
    built.ok_or_else(|| anyhow::anyhow!("cargo built no executable named {bin}"))
}

/// The executable a cargo artifact message (one line of `--message-format=json`) names, when it
/// is the binary `bin`.
fn executable(message: &str, bin: &str) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(message).ok()?;
    let artifact = message["reason"] == "compiler-artifact" && message["target"]["name"] == bin;
    artifact
        .then(|| message["executable"].as_str().map(PathBuf::from))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binarys_artifact_message_names_its_executable_and_others_do_not() {
        let binary = r#"{"reason":"compiler-artifact","target":{"name":"database","kind":["bin"]},"executable":"/t/release/database"}"#;
        let library = r#"{"reason":"compiler-artifact","target":{"name":"database","kind":["lib"]},"executable":null}"#;
        let other = r#"{"reason":"compiler-artifact","target":{"name":"memcached"},"executable":"/t/release/memcached"}"#;
        assert_eq!(
            executable(binary, "database"),
            Some(PathBuf::from("/t/release/database"))
        );
        assert_eq!(executable(library, "database"), None);
        assert_eq!(executable(other, "database"), None);
        assert_eq!(
            executable(r#"{"reason":"build-finished","success":true}"#, "database"),
            None
        );
        assert_eq!(executable("not json", "database"), None);
    }
}
