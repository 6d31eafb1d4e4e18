//! OpenAPI v3, which the kube-apiserver's aggregator reads from each `APIService` (as
//! `system:aggregator`, through the front proxy) and `kubectl explain` from it: `/openapi/v3`
//! lists one document per served group with a hash of its content, and
//! `/openapi/v3/apis/<group>/v1` describes that group's resources, each GET operation and
//! schema marked with `x-kubernetes-group-version-kind`, which `kubectl explain` looks for.
//! The alias resources of `primary-all/v1` (`plural.group`) are not described.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha512};

use kube_secondary::primary_all::{VERSION, served_group};

use crate::kinds::{Kind, Kinds};

/// `/openapi/v3`: each served group's document path, with the hash of its content as the
/// kube-apiserver writes it (SHA-512, upper-case hex), so clients may cache it by URL.
pub fn index(kinds: &Kinds) -> Value {
    let paths: Map<String, Value> = kinds
        .served_groups()
        .into_iter()
        .filter_map(|group| {
            let document = document(kinds, &group)?;
            let bytes = serde_json::to_vec(&document).expect("a JSON value serialises");
            let hash: String = Sha512::digest(&bytes)
                .iter()
                .map(|byte| format!("{byte:02X}"))
                .collect();
            let path = format!("apis/{group}/{VERSION}");
            let url = format!("/openapi/v3/{path}?hash={hash}");
            Some((path, json!({ "serverRelativeURL": url })))
        })
        .collect();
    json!({ "paths": paths })
}

/// `/openapi/v3/apis/<group>/v1`, or `None` for a group not served here.
pub fn document(kinds: &Kinds, group: &str) -> Option<Value> {
    if !kinds.served_groups().contains(group) {
        return None;
    }
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for (_, kind) in kinds
        .primaries()
        .filter(|(_, kind)| served_group(&kind.resource.group) == group)
    {
        let gvk = json!({ "group": group, "version": VERSION, "kind": kind.resource.kind });
        let schema_name = format!("{group}.{VERSION}.{}", kind.resource.kind);
        paths.insert(path(group, kind), operation(kind, &gvk, &schema_name));
        schemas.insert(schema_name, object_schema(kind, &gvk));
    }
    schemas.insert(META.into(), object_meta());
    schemas.insert(CHILDREN.into(), kind_children());
    Some(json!({
        "openapi": "3.0.0",
        "info": { "title": "kube-secondary primary-all", "version": VERSION },
        "paths": paths,
        "components": { "schemas": schemas },
    }))
}

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const CHILDREN: &str = "dev.kube-secondary.primary-all.v1.KindChildren";

fn path(group: &str, kind: &Kind) -> String {
    let plural = &kind.resource.plural;
    if kind.namespaced {
        format!("/apis/{group}/{VERSION}/namespaces/{{namespace}}/{plural}/{{name}}")
    } else {
        format!("/apis/{group}/{VERSION}/{plural}/{{name}}")
    }
}

fn operation(kind: &Kind, gvk: &Value, schema_name: &str) -> Value {
    let parameter = |name: &str, description: &str| {
        json!({ "name": name, "in": "path", "required": true, "description": description,
                "schema": { "type": "string", "uniqueItems": true } })
    };
    let mut parameters = vec![parameter("name", "name of the primary")];
    if kind.namespaced {
        parameters.push(parameter("namespace", "object name and auth scope"));
    }
    parameters.push(json!({
        "name": "depth", "in": "query", "description": "levels of children: 1 (direct children, the default) to 5",
        "schema": { "type": "integer" },
    }));
    let reference = json!({ "$ref": format!("#/components/schemas/{schema_name}") });
    json!({ "get": {
        "description": format!("read the {} with its children", kind.resource.kind),
        "operationId": format!("read{}WithChildren", kind.resource.kind),
        "parameters": parameters,
        "responses": { "200": { "description": "OK", "content": {
            "application/json": { "schema": reference },
        } } },
        "x-kubernetes-action": "get",
        "x-kubernetes-group-version-kind": gvk,
    } })
}

fn object_schema(kind: &Kind, gvk: &Value) -> Value {
    let resource = &kind.resource;
    let string = |description: &str| json!({ "type": "string", "description": description });
    json!({
        "type": "object",
        "description": format!(
            "A {} ({}) with everything it made, read from the primary-all server's watch caches: each kind as fresh as its own watch, not an atomic snapshot.",
            resource.kind, resource.api_version
        ),
        "required": ["primary", "secondaries"],
        "properties": {
            "apiVersion": string("APIVersion defines the versioned schema of this representation of an object."),
            "kind": string("Kind is a string value representing the REST resource this object represents."),
            "metadata": { "$ref": format!("#/components/schemas/{META}"),
                "description": "The primary's metadata." },
            "primary": { "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                "description": format!("The {} itself, without managedFields.", resource.kind) },
            "secondaries": { "type": "array", "items": { "$ref": format!("#/components/schemas/{CHILDREN}") },
                "description": "Its children, one entry per kind, with children of children down to the requested depth; each child's ownerReferences say whose it is." },
            "hidden": { "type": "array", "items": { "type": "string" },
                "description": "The child kinds the caller may not list, by resource (secrets), whether or not the primary has any: their children are neither shown nor counted." },
        },
        "x-kubernetes-group-version-kind": [gvk],
    })
}

fn object_meta() -> Value {
    let string = |description: &str| json!({ "type": "string", "description": description });
    let map = |description: &str| json!({ "type": "object", "additionalProperties": { "type": "string" }, "description": description });
    json!({
        "type": "object",
        "description": "The fields of the primary's ObjectMeta this API answers.",
        "properties": {
            "name": string("Name of the primary."),
            "namespace": string("Namespace of the primary; empty for a cluster-scoped one."),
            "uid": string("UID of the primary."),
            "resourceVersion": string("The primary's resourceVersion."),
            "creationTimestamp": { "type": "string", "format": "date-time",
                "description": "When the primary was created." },
            "labels": map("The primary's labels."),
            "annotations": map("The primary's annotations."),
        },
    })
}

fn kind_children() -> Value {
    let string = |description: &str| json!({ "type": "string", "description": description });
    json!({
        "type": "object",
        "description": "The children of one kind.",
        "required": ["apiVersion", "kind", "resource"],
        "properties": {
            "apiVersion": string("The kind's API version: apps/v1, or v1 for the core group."),
            "kind": string("The kind: Deployment."),
            "resource": string("Its resource: deployments."),
            "resourceVersion": string("The resourceVersion this kind's watch cache had reached."),
            "items": { "type": "array", "description": "The children, sorted by namespace and name.",
                "items": { "type": "object", "x-kubernetes-preserve-unknown-fields": true } },
            "error": string("Why this kind could not be served, if it could not; its items are then empty."),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::api::{ApiResource, GroupVersionKind};
    use kube::discovery::{ApiCapabilities, Scope};

    fn kinds() -> Kinds {
        let caps = |scope| ApiCapabilities {
            scope,
            subresources: vec![],
            operations: vec![],
        };
        let mut kinds = Kinds::default();
        let gvk = GroupVersionKind::gvk("demo.example.com", "v1", "Database");
        let mut db = ApiResource::from_gvk(&gvk);
        db.plural = "databases".into();
        kinds.add(db, &caps(Scope::Namespaced), true, false);
        let ns = ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "Namespace"));
        kinds.add(ns, &caps(Scope::Cluster), true, false);
        kinds
    }

    #[test]
    fn each_served_group_has_a_document_named_by_its_hash() {
        let index = index(&kinds());
        let paths = index["paths"].as_object().unwrap();
        let keys: Vec<&String> = paths.keys().collect();
        assert_eq!(
            keys,
            [
                "apis/primary-all.demo.example.com/v1",
                "apis/primary-all/v1"
            ]
        );
        let url = paths["apis/primary-all.demo.example.com/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        let (path, hash) = url.split_once("?hash=").unwrap();
        assert_eq!(path, "/openapi/v3/apis/primary-all.demo.example.com/v1");
        assert_eq!(hash.len(), 128);
        assert_eq!(hash, hash.to_uppercase());
    }

    #[test]
    fn explain_finds_the_kind_from_the_path_and_the_schema_from_the_kind() {
        let served = document(&kinds(), "primary-all.demo.example.com").unwrap();
        let gvk =
            json!({ "group": "primary-all.demo.example.com", "version": "v1", "kind": "Database" });
        let get = &served["paths"]["/apis/primary-all.demo.example.com/v1/namespaces/{namespace}/databases/{name}"]
            ["get"];
        assert_eq!(get["x-kubernetes-group-version-kind"], gvk);
        let schemas = served["components"]["schemas"].as_object().unwrap();
        let marked: Vec<&String> = schemas
            .iter()
            .filter(|(_, schema)| schema["x-kubernetes-group-version-kind"] == json!([gvk]))
            .map(|(name, _)| name)
            .collect();
        assert_eq!(marked, ["primary-all.demo.example.com.v1.Database"]);
        let reference = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap();
        assert_eq!(
            reference,
            "#/components/schemas/primary-all.demo.example.com.v1.Database"
        );
        let core = document(&kinds(), "primary-all").unwrap();
        assert!(
            core["paths"]
                .get("/apis/primary-all/v1/namespaces/{name}")
                .is_some()
        );
        assert_eq!(document(&kinds(), "primary-all.other.example.com"), None);
    }
}
