//! Expansion snapshots: `prettyplease` renderings of the derive's output, committed under
//! `macros/tests/snapshots/`. `UPDATE_SNAPSHOTS=1 cargo test -p kube-secondary-macros` rewrites
//! them; review the diff before committing.

use std::path::PathBuf;

fn snapshot(name: &str, input: proc_macro2::TokenStream) {
    let output = crate::derive::derive(input);
    let file = syn::parse2::<syn::File>(output).expect("the expansion is a file of items");
    let pretty = prettyplease::unparse(&file);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.rs"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().expect("snapshots have a directory"))
            .expect("create snapshot directory");
        std::fs::write(&path, &pretty).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1 and review it",
            path.display()
        )
    });
    assert_eq!(
        pretty, expected,
        "expansion of {name} changed; rerun with UPDATE_SNAPSHOTS=1 and review the diff"
    );
}

#[test]
fn database() {
    snapshot(
        "database",
        quote::quote! {
            #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced, status = "DatabaseStatus")]
            #[secondary(Deployment, predicate = generation, drift = rules::deployment_drifted)]
            #[secondary(Service)]
            #[secondary(Secret, metadata_only)]
            #[secondary(ConfigMap, predicate = labels | annotations)]
            #[secondary(Pod, map = label("app.kubernetes.io/instance"), selector = "app=db", field = pods)]
            #[secondary(PersistentVolumeClaim, predicate = my_module::my_predicate | generation)]
            pub struct DatabaseSpec {
                pub replicas: i32,
            }
        },
    );
}

#[test]
fn options_and_hand_written_primary() {
    snapshot(
        "options",
        quote::quote! {
            #[secondaries(resync = "2h30m", periodic = "500ms", crate = "crate::reexports::kube_secondary")]
            #[secondary(k8s_openapi::api::batch::v1::Job, map = annotation("example.com/owner"))]
            #[secondary(Secret, metadata_only, predicate = secret_labels)]
            pub(crate) struct Backup {
                metadata: ObjectMeta,
            }
        },
    );
}

#[test]
fn status_summary() {
    snapshot(
        "status_summary",
        quote::quote! {
            #[kube(group = "demo.example.com", version = "v1", kind = "App", namespaced, status = "AppStatus")]
            #[secondaries(status_summary)]
            #[secondary(Deployment)]
            #[secondary(Secret, metadata_only)]
            pub struct AppSpec {}
        },
    );
}

#[test]
fn kube_root_names_the_primary() {
    snapshot(
        "kube_root",
        quote::quote! {
            #[kube(group = "demo.example.com", version = "v1", kind = "Cache", root = "CacheResource")]
            #[secondary(Deployment)]
            struct CacheSpec {}
        },
    );
}

#[test]
fn errors_come_with_a_stub() {
    snapshot(
        "errors_with_stub",
        quote::quote! {
            #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
            #[secondary(Deployment, predicate = genration)]
            #[secondary(Service, preducate = labels)]
            #[secondary(Pod)]
            #[secondary(Service, field = pods)]
            pub struct DatabaseSpec {}
        },
    );
}
