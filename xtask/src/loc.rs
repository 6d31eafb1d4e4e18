//! `cargo xtask loc`: how much operator logic the `database` job takes with kube-secondary and
//! by hand with kube-rs, in non-blank, non-comment lines. The desired objects
//! (`examples/src/database/desired.rs`) are shared and counted on neither side. Then the
//! `memcached` operator against the operator-sdk tutorial's Go controller, both without imports
//! and without the desired Deployment's builder.

use std::path::Path;

/// The kube-secondary operator.
const KUBE_SECONDARY: [&str; 1] = ["examples/src/database/operator.rs"];
/// The kube-rs baseline: its controller, and the full reconcile it runs.
const BY_HAND: [&str; 2] = [
    "examples/src/baseline/by_hand.rs",
    "examples/src/baseline/reconcile.rs",
];

/// The kube-secondary `memcached` operator (its Deployment builder is `desired.rs`).
const MEMCACHED: &str = "examples/src/memcached/operator.rs";
/// The operator-sdk tutorial's controller, counted the same way: non-blank, non-comment lines of
/// `testdata/go/v4/memcached-operator/internal/controller/memcached_controller.go` at
/// operator-framework/operator-sdk commit 60559f3e002e0a6eccd7260935ef3aa1d154c66e, without its
/// license header, `package` clause, imports and `deploymentForMemcached`, `labelsForMemcached`
/// and `imageForMemcached`.
const MEMCACHED_GO: usize = 151;

/// Non-blank lines that are not `//` comments (doc comments included).
fn count(source: &str) -> usize {
    source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
}

fn total(repo: &Path, files: &[&str]) -> anyhow::Result<usize> {
    let mut lines = 0;
    for file in files {
        let source = std::fs::read_to_string(repo.join(file))
            .map_err(|e| anyhow::anyhow!("read {file}: {e}"))?;
        lines += count(&source);
    }
    Ok(lines)
}

/// Prints both counts.
pub fn run() -> anyhow::Result<()> {
    let repo = crate::paths::repo();
    let ours = total(&repo, &KUBE_SECONDARY)?;
    let by_hand = total(&repo, &BY_HAND)?;
    println!("operator logic of the database job (non-blank, non-comment lines):");
    println!("  kube-secondary  {ours:>4}  {}", KUBE_SECONDARY.join(" "));
    println!("  kube-rs by hand {by_hand:>4}  {}", BY_HAND.join(" + "));
    let source = std::fs::read_to_string(repo.join(MEMCACHED))
        .map_err(|e| anyhow::anyhow!("read {MEMCACHED}: {e}"))?;
    let memcached = count(&source) - imports(&source);
    println!("operator logic of the memcached tutorial (the same, without imports):");
    println!("  kube-secondary  {memcached:>4}  {MEMCACHED}");
    println!("  Go (operator-sdk tutorial) {MEMCACHED_GO:>4}  memcached_controller.go");
    Ok(())
}

/// `use` lines (imports).
fn imports(source: &str) -> usize {
    source
        .lines()
        .filter(|line| line.trim().starts_with("use "))
        .count()
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn blank_lines_and_comments_do_not_count() {
        let source = "//! module\n\nuse a;\n    // why\n/// doc\nfn f() {}\n";
        assert_eq!(count(source), 2);
        assert_eq!(super::imports(source), 1);
    }
}
