//! The primary's finalizer, managed by the runtime for a controller with a cleanup
//! ([`Controller::finalizer`](crate::Controller::finalizer)): added before the first
//! `reconcile`, removed once [`Reconciler::cleanup`](crate::Reconciler::cleanup) succeeded.
//!
//! Both writes are merge patches of the whole `metadata.finalizers` list carrying the
//! resourceVersion they were computed from, so another controller's finalizer added meanwhile is
//! never dropped: the write fails with a conflict instead, and the run is retried.

use kube::ResourceExt;
use kube::api::{Patch, PatchParams};
use serde_json::json;

use crate::aware::SecondaryAware;
use crate::error::Error;
use crate::kinds::resource::display;
use crate::kinds::resource::dynamic_api;

/// Whether `primary` carries `finalizer`.
pub(crate) fn has<P: kube::Resource>(primary: &P, finalizer: &str) -> bool {
    primary.finalizers().iter().any(|f| f == finalizer)
}

/// The finalizers of `primary` with `finalizer` added (`add`) or removed.
fn updated<P: kube::Resource>(primary: &P, finalizer: &str, add: bool) -> Vec<String> {
    let mut finalizers: Vec<String> = primary
        .finalizers()
        .iter()
        .filter(|f| *f != finalizer)
        .cloned()
        .collect();
    if add {
        finalizers.push(finalizer.to_string());
    }
    finalizers
}

/// Adds or removes `finalizer` on `primary`, as `manager`; returns the primary as written.
pub(crate) async fn write<P: SecondaryAware>(
    client: &kube::Client,
    primary: &P,
    finalizer: &str,
    add: bool,
    manager: &str,
) -> Result<P, Error> {
    let patch = json!({ "metadata": {
        "resourceVersion": primary.resource_version(),
        "finalizers": updated(primary, finalizer, add),
    } });
    let params = PatchParams {
        field_manager: Some(manager.to_string()),
        ..PatchParams::default()
    };
    let verb = if add {
        "add the finalizer to"
    } else {
        "remove the finalizer from"
    };
    let failed = |source| Error::Write {
        verb,
        child: display(primary),
        source,
    };
    let written = dynamic_api(client, primary)
        .patch(&primary.name_any(), &params, &Patch::Merge(&patch))
        .await
        .map_err(failed)?;
    let written = serde_json::to_value(written)
        .and_then(serde_json::from_value::<P>)
        .map_err(|source| failed(kube::Error::SerdeError(source)))?;
    let shown = display(primary);
    match add {
        true => tracing::info!(primary = %shown, finalizer, "finalizer added"),
        false => tracing::info!(primary = %shown, finalizer, "finalizer removed"),
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::primary;

    #[test]
    fn the_finalizer_is_added_once_and_removed_alone() {
        let mut db = primary("db", "u1");
        db.metadata.finalizers = Some(vec!["other.io/keep".into()]);
        assert!(!has(&db, "demo.io/cleanup"));
        assert_eq!(
            updated(&db, "demo.io/cleanup", true),
            vec!["other.io/keep".to_string(), "demo.io/cleanup".to_string()]
        );
        db.metadata.finalizers = Some(updated(&db, "demo.io/cleanup", true));
        assert!(has(&db, "demo.io/cleanup"));
        assert_eq!(updated(&db, "demo.io/cleanup", true).len(), 2, "not twice");
        assert_eq!(
            updated(&db, "demo.io/cleanup", false),
            vec!["other.io/keep".to_string()]
        );
    }
}
