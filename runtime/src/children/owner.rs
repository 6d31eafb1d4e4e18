//! Who controls a child: controller-runtime's `SetControllerReference` rules, and the declared
//! label or annotation that maps a child to its primary.

use kube::api::ObjectMeta;
use kube::{Resource, ResourceExt};

use crate::error::Error;
use crate::kinds::resource::{ApiScope, Mapping, display, is_namespaced};

/// Makes `desired` a child of `primary`: in the primary's namespace (when it names none), with
/// the primary as its controller (`controller: true`, `blockOwnerDeletion: true`), and with the
/// label or annotation `mapping` reads. Refuses a child without a name, one in another
/// namespace (an ownerReference cannot cross namespaces), and one that names another
/// controller.
pub(crate) fn adopt<P, K>(primary: &P, desired: &mut K, mapping: &Mapping) -> Result<(), Error>
where
    P: Resource<DynamicType = ()>,
    K: Resource<DynamicType = (), Scope: ApiScope>,
{
    let not_ownable = |desired: &K, reason: String| Error::NotOwnable {
        child: display(desired),
        primary: display(primary),
        reason,
    };
    if desired.meta().name.as_deref().is_none_or(str::is_empty) {
        return Err(not_ownable(desired, "it has no name".into()));
    }
    if is_namespaced::<K>() {
        match (desired.namespace(), primary.namespace()) {
            (None, Some(namespace)) => desired.meta_mut().namespace = Some(namespace),
            (None, None) => {
                return Err(not_ownable(desired, "it names no namespace".into()));
            }
            (Some(child), Some(own)) if child != own => {
                let reason = format!(
                    "it is in namespace {child}, and an ownerReference cannot point to another namespace ({own})"
                );
                return Err(not_ownable(desired, reason));
            }
            _ => {}
        }
    }
    let Some(mut owner) = primary.controller_owner_ref(&()) else {
        return Err(not_ownable(desired, "the primary has no uid yet".into()));
    };
    owner.block_owner_deletion = Some(true);
    check_controller(primary, desired.meta(), &display(desired))?;
    let references = desired.meta_mut().owner_references.get_or_insert_default();
    references.retain(|reference| reference.uid != owner.uid);
    references.push(owner);
    let name = primary.name_any();
    match mapping {
        Mapping::Owner => {}
        Mapping::Label(key) => {
            desired.labels_mut().insert((*key).to_string(), name);
        }
        Mapping::Annotation(key) => {
            desired.annotations_mut().insert((*key).to_string(), name);
        }
    }
    Ok(())
}

/// Refuses to touch `child` (metadata of the object written `display`) when another object is
/// its controller.
pub(crate) fn check_controller<P: Resource<DynamicType = ()>>(
    primary: &P,
    child: &ObjectMeta,
    display: &str,
) -> Result<(), Error> {
    let controller = child
        .owner_references
        .iter()
        .flatten()
        .find(|reference| reference.controller == Some(true));
    match controller {
        Some(other) if Some(&other.uid) != primary.meta().uid.as_ref() => {
            Err(Error::ControlledByAnother {
                child: display.to_string(),
                owner: format!("{} {} (uid {})", other.kind, other.name, other.uid),
            })
        }
        _ => Ok(()),
    }
}

/// Whether `primary` is the controller of `child`: the children a prune may delete.
pub(crate) fn controls<P: Resource>(primary: &P, child: &ObjectMeta) -> bool {
    child.owner_references.iter().flatten().any(|reference| {
        reference.controller == Some(true) && Some(&reference.uid) == primary.meta().uid.as_ref()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{child, primary};
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

    fn desired(name: &str) -> ConfigMap {
        let mut config = ConfigMap::default();
        config.metadata.name = Some(name.into());
        config
    }

    #[test]
    fn an_adopted_child_is_in_the_primarys_namespace_under_its_controller_reference() {
        let db = primary("db", "u1");
        let mut cfg = desired("cfg");
        adopt(&db, &mut cfg, &Mapping::Owner).unwrap();
        assert_eq!(cfg.namespace().as_deref(), Some("ns"));
        let owner = &cfg.owner_references()[0];
        assert_eq!((owner.uid.as_str(), owner.name.as_str()), ("u1", "db"));
        assert_eq!(owner.controller, Some(true));
        assert_eq!(owner.block_owner_deletion, Some(true));
        assert!(cfg.labels().is_empty(), "the owner mapping needs no label");
    }

    #[test]
    fn a_label_mapped_child_gets_the_label_that_names_its_primary() {
        let db = primary("db", "u1");
        let mut cfg = desired("cfg");
        adopt(&db, &mut cfg, &Mapping::Label("app.kubernetes.io/instance")).unwrap();
        assert_eq!(cfg.labels()["app.kubernetes.io/instance"], "db");
        let mut cfg = desired("cfg");
        adopt(&db, &mut cfg, &Mapping::Annotation("example.com/owner")).unwrap();
        assert_eq!(cfg.annotations()["example.com/owner"], "db");
    }

    #[test]
    fn adopting_twice_keeps_one_reference() {
        let db = primary("db", "u1");
        let mut cfg = desired("cfg");
        adopt(&db, &mut cfg, &Mapping::Owner).unwrap();
        adopt(&db, &mut cfg, &Mapping::Owner).unwrap();
        assert_eq!(cfg.owner_references().len(), 1);
    }

    #[test]
    fn a_child_in_another_namespace_or_without_a_name_is_refused() {
        let db = primary("db", "u1");
        let mut elsewhere = desired("cfg");
        elsewhere.metadata.namespace = Some("other".into());
        let error = adopt(&db, &mut elsewhere, &Mapping::Owner).unwrap_err();
        assert!(error.to_string().contains("in namespace other"), "{error}");
        let error = adopt(&db, &mut desired(""), &Mapping::Owner).unwrap_err();
        assert!(error.to_string().contains("no name"), "{error}");
    }

    #[test]
    fn a_child_another_object_controls_is_refused_naming_that_owner() {
        let db = primary("db", "u1");
        let theirs = child("cfg", &primary("other", "u2"), "1");
        let error = check_controller(&db, &theirs.metadata, "ConfigMap ns/cfg").unwrap_err();
        assert_eq!(
            error.to_string(),
            "ConfigMap ns/cfg is controlled by Deployment other (uid u2); refusing to take it over"
        );
        assert!(!controls(&db, &theirs.metadata));
        let mut claimed = desired("cfg");
        claimed.metadata.owner_references = theirs.metadata.owner_references.clone();
        assert!(adopt(&db, &mut claimed, &Mapping::Owner).is_err());
    }

    #[test]
    fn a_child_without_a_controller_may_be_adopted_and_ours_is_ours() {
        let db = primary("db", "u1");
        let mut loose = desired("cfg");
        loose.metadata.owner_references = Some(vec![OwnerReference {
            uid: "u9".into(),
            controller: Some(false),
            ..OwnerReference::default()
        }]);
        assert!(check_controller(&db, &loose.metadata, "ConfigMap ns/cfg").is_ok());
        assert!(!controls(&db, &loose.metadata));
        assert!(controls(&db, &child("cfg", &db, "1").metadata));
    }
}
