//! `cargo xtask loc`: how much operator logic the `database` job takes with kube-secondary and
//! by hand with kube-rs, in non-blank, non-comment lines. The desired objects
//! (`examples/src/database/desired.rs`) are shared and counted on neither side.

use std::path::Path;

/// The kube-secondary operator.
const KUBE_SECONDARY: [&str; 1] = ["examples/src/database/operator.rs"];
/// The kube-rs baseline: its controller, and the full reconcile it runs.
const BY_HAND: [&str; 2] = [
    "examples/src/baseline/by_hand.rs",
    "examples/src/baseline/reconcile.rs",
];

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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn blank_lines_and_comments_do_not_count() {
        let source = "//! module\n\nuse a;\n    // why\n/// doc\nfn f() {}\n";
        assert_eq!(count(source), 2);
    }
}
