//! The primary's own status, written by a handler: a merge patch sent only when it changes
//! something, whose echo does not wake the primary.

use kube::ResourceExt;
use kube::api::{Patch, PatchParams};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::aware::SecondaryAware;
use crate::cache::expectations::Version;
use crate::error::Error;
use crate::handler::context::Context;
use crate::kinds::resource::display;
use crate::kinds::resource::dynamic_api;

impl<P: SecondaryAware> Context<P> {
    /// Merge-patches `status` into this run's primary's status, unless that changes nothing (no
    /// request then). Its watch event does not wake the primary. Fields `status` leaves out
    /// (`None` skipped by serde) keep their stored value; lists are replaced whole.
    ///
    /// Conditions built with [`condition::set`](crate::handler::condition::set) keep their
    /// `lastTransitionTime` while their status holds, so an unchanged condition is no change.
    /// A write that changes something also clears the runtime's `ReconcileFailed` condition left
    /// by an earlier failed run (set again should this run fail), so a recovering run costs no
    /// status write of its own for it.
    pub async fn patch_status(&self, status: &impl Serialize) -> Result<(), Error> {
        let primary = self.primary();
        let child = display(primary.as_ref());
        let serde = |error| Error::Write {
            verb: "patch the status of",
            child: child.clone(),
            source: kube::Error::SerdeError(error),
        };
        let status = serde_json::to_value(status).map_err(serde)?;
        // Compare with our own last write when the cache has not shown it yet: a status that
        // goes back to an earlier value must still be written, and one written already not again.
        let latest = self.latest_primary();
        let current = serde_json::to_value(latest.as_ref()).map_err(serde)?["status"].take();
        let mut merged = current.clone();
        merge(&mut merged, &status);
        if merged == current {
            return Ok(());
        }
        let mut patch = serde_json::json!({ "status": status });
        // The run got this far: the failure condition an earlier run left is cleared in this
        // write rather than in one of its own after the run (which a failure sets again).
        if let Some(conditions) =
            crate::handler::condition::cleared(latest.meta().generation, &merged)
        {
            patch["status"]["conditions"] = conditions;
        }
        let written = dynamic_api(self.client(), primary.as_ref())
            .patch_status(
                &primary.name_any(),
                &PatchParams {
                    field_manager: Some(self.field_manager().to_string()),
                    ..PatchParams::default()
                },
                &Patch::Merge(&patch),
            )
            .await
            .map_err(|source| Error::Write {
                verb: "patch the status of",
                child: child.clone(),
                source,
            })?;
        tracing::info!(primary = %child, "status written");
        match serde_json::to_value(written).and_then(serde_json::from_value::<P>) {
            Ok(written) => {
                self.record_primary(written);
            }
            Err(_) => {
                tracing::debug!(primary = %child, "the status write returned an object that does not decode as the primary")
            }
        }
        Ok(())
    }

    /// This run's primary, or the object this controller's last write of it returned when the
    /// cache has not shown that write yet.
    pub(crate) fn latest_primary(&self) -> Arc<P> {
        self.expectations.newest(self.primary().clone())
    }

    /// Remembers `written`, the primary as a write of this controller returned it, in the
    /// primaries' cache form: its echo wakes nothing, and runs read it until the cache shows it.
    pub(crate) fn record_primary(&self, mut written: P) -> Arc<P> {
        self.writes.managed_fields.for_primary().apply(&mut written);
        let written = Arc::new(written);
        if let Some(version) = Version::of(written.as_ref()) {
            self.expect(version, Some(written.clone()));
        }
        written
    }
}

/// Applies the JSON merge patch `patch` to `target` (RFC 7386).
fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(target) = target else {
        unreachable!("made an object above")
    };
    for (field, value) in fields {
        if value.is_null() {
            target.remove(field);
        } else {
            merge(target.entry(field.clone()).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merge_patch_replaces_scalars_and_lists_removes_nulls_and_keeps_the_rest() {
        let mut status = json!({ "phase": "Pending", "ready": 1, "conditions": [{"type": "A"}] });
        merge(
            &mut status,
            &json!({ "phase": "Running", "ready": null, "conditions": [] }),
        );
        assert_eq!(status, json!({ "phase": "Running", "conditions": [] }));
    }

    #[test]
    fn a_patch_of_what_is_stored_changes_nothing() {
        let stored = json!({ "observedGeneration": 2, "conditions": [{"type": "Ready"}] });
        let mut merged = stored.clone();
        merge(&mut merged, &json!({ "observedGeneration": 2 }));
        assert_eq!(merged, stored);
        let mut empty = Value::Null;
        merge(&mut empty, &json!({ "observedGeneration": 2 }));
        assert_eq!(empty, json!({ "observedGeneration": 2 }));
    }
}
