//! The results a run saves (`results.{json,md,svg}`), and merging the results of earlier runs.

use std::path::PathBuf;

/// What one `results.json` holds.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Saved {
    pub(crate) machine: String,
    pub(crate) results: Vec<crate::run::RunResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) primary_all: Vec<crate::primary_all::PrimaryAllResult>,
    #[serde(default)]
    pub(crate) failures: Vec<String>,
}

/// Joins the results of earlier runs, in the order given, into one report in `out`.
pub(crate) fn merge(dirs: &[PathBuf], out: &std::path::Path) -> anyhow::Result<()> {
    let mut merged = Saved {
        machine: String::new(),
        results: vec![],
        primary_all: vec![],
        failures: vec![],
    };
    for dir in dirs {
        let path = dir.join("results.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let saved: Saved = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not a benchmark result: {e}", path.display()))?;
        if merged.machine.is_empty() {
            merged.machine = saved.machine;
        } else if !merged.machine.split(" and on ").any(|m| m == saved.machine) {
            // Contestants are compared within one run; across runs only the trend (say, RSS as N
            // grows) is read, so a second machine is named rather than refused.
            tracing::warn!(
                file = %path.display(),
                machine = %saved.machine,
                "measured on another machine or configuration than the first file"
            );
            merged.machine = format!("{} and on {}", merged.machine, saved.machine);
        }
        merged.results.extend(saved.results);
        merged.primary_all.extend(saved.primary_all);
        merged.failures.extend(saved.failures);
    }
    std::fs::create_dir_all(out)?;
    write_results(out, &merged)?;
    println!(
        "merged {} run(s) from {} result file(s) into {}/results.{{json,md,svg}}",
        merged.results.len(),
        dirs.len(),
        out.display()
    );
    Ok(())
}

/// Writes every figure so far, so that an interrupted or partly failed run keeps what it
/// measured. The chart is of wake-ups, so a run with none writes no chart.
pub(crate) fn write_results(out: &std::path::Path, saved: &Saved) -> anyhow::Result<()> {
    std::fs::write(
        out.join("results.json"),
        serde_json::to_string_pretty(saved)?,
    )?;
    std::fs::write(out.join("results.md"), markdown(saved))?;
    if !saved.results.is_empty() {
        std::fs::write(out.join("results.svg"), crate::report::svg(&saved.results))?;
    }
    Ok(())
}

pub(crate) fn markdown(saved: &Saved) -> String {
    crate::report::markdown(
        &saved.results,
        &saved.primary_all,
        &saved.machine,
        &saved.failures,
    )
}
