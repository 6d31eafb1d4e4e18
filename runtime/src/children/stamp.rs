//! What [`Context::apply`](crate::Context::apply) writes into a desired child besides the
//! operator's content, and what it checks first: the membership of a set, the digest of what it
//! applies, and that the controller's watches can see the child at all.

use kube::Resource;
use kube::ResourceExt;
use serde::Serialize;

use crate::error::Error;
use crate::kinds::resource::display;

/// The label that makes a child a member of a set applied with
/// [`Context::apply_all`](crate::Context::apply_all) or
/// [`Context::apply_all_in`](crate::Context::apply_all_in): its value names the set. Only members
/// of a set are pruned with it.
pub const SET_LABEL: &str = "kube-secondary.dev/set";

/// The set [`Context::apply_all`] applies.
pub(crate) const DEFAULT_SET: &str = "default";

/// Writes the [digest](crate::children::matcher::digest) of `desired` into its
/// [`APPLIED_DIGEST`](crate::children::matcher::APPLIED_DIGEST) annotation.
pub(crate) fn stamp_digest<K: Resource + Serialize>(
    desired: &mut K,
    child: &str,
) -> Result<(), Error> {
    let value = serde_json::to_value(&*desired).map_err(|source| Error::Write {
        verb: "serialise",
        child: child.to_string(),
        source: kube::Error::SerdeError(source),
    })?;
    let digest = crate::children::matcher::digest(&value);
    desired
        .annotations_mut()
        .insert(crate::children::matcher::APPLIED_DIGEST.to_string(), digest);
    Ok(())
}

/// The digest annotation of `obj`.
pub(crate) fn digest_of<K: Resource>(obj: &K) -> Option<&String> {
    obj.annotations()
        .get(crate::children::matcher::APPLIED_DIGEST)
}

/// Refuses a child the controller's watches would never see: outside the selector declared for
/// its kind, or outside the one namespace the controller watches. Its drift would never be
/// repaired, nor its deletion noticed.
pub(crate) fn visible<P: Resource<DynamicType = ()>, K: Resource<DynamicType = ()>>(
    primary: &P,
    desired: &K,
    selector: Option<&str>,
    watched: Option<&str>,
) -> Result<(), Error> {
    let not_ownable = |reason: String| Error::NotOwnable {
        child: display(desired),
        primary: display(primary),
        reason,
    };
    if let Some(selector) = selector
        && !crate::kinds::selector::matches(selector, desired.meta().labels.as_ref())
    {
        return Err(not_ownable(format!(
            "its labels do not match the selector `{selector}` declared for {}, so the controller would never see it; add the labels or widen the selector",
            K::kind(&())
        )));
    }
    if let (Some(watched), Some(namespace)) = (watched, desired.meta().namespace.as_deref())
        && watched != namespace
    {
        return Err(not_ownable(format!(
            "it is in namespace {namespace}, and the controller watches only namespace {watched}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::primary;
    use k8s_openapi::api::core::v1::ConfigMap;

    fn config(namespace: &str, labels: &[(&str, &str)]) -> ConfigMap {
        let mut config = ConfigMap::default();
        config.metadata.name = Some("cfg".into());
        config.metadata.namespace = Some(namespace.into());
        let labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        config.metadata.labels = Some(labels.collect());
        config
    }

    #[test]
    fn a_child_the_watches_would_never_see_is_refused_naming_why() {
        let db = primary("db", "u1");
        let error = visible(&db, &config("ns", &[]), Some("app=db"), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "ConfigMap ns/cfg cannot be a child of Deployment ns/db: its labels do not match the \
             selector `app=db` declared for ConfigMap, so the controller would never see it; add \
             the labels or widen the selector"
        );
        assert!(visible(&db, &config("ns", &[("app", "db")]), Some("app=db"), None).is_ok());

        let error = visible(&db, &config("other", &[]), None, Some("ns")).unwrap_err();
        assert!(
            error.to_string().ends_with(
                "it is in namespace other, and the controller watches only namespace ns"
            ),
            "{error}"
        );
        assert!(visible(&db, &config("ns", &[]), None, Some("ns")).is_ok());
        assert!(visible(&db, &config("any", &[]), None, None).is_ok());
    }

    #[test]
    fn the_digest_stamped_is_the_digest_of_the_child_without_it() {
        let mut child = config("ns", &[("app", "db")]);
        stamp_digest(&mut child, "ConfigMap ns/cfg").unwrap();
        let stamped = digest_of(&child).cloned().unwrap();
        child.annotations_mut().clear();
        let plain = serde_json::to_value(&child).unwrap();
        assert_eq!(stamped, crate::children::matcher::digest(&plain));
        let mut again = child.clone();
        stamp_digest(&mut again, "ConfigMap ns/cfg").unwrap();
        assert_eq!(
            digest_of(&again),
            Some(&stamped),
            "the same child, the same digest"
        );
    }
}
