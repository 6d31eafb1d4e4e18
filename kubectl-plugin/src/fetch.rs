//! The one request to the aggregated API, and what its failures mean for the user.

use kube::Client;
use kube_secondary::primary_all;
use serde_json::Value;

use crate::error::Error;
use crate::resolve::{Discovered, Resolved};

/// The `primary-all` view of `name` (a `primary`, in `namespace` if it is namespaced) down to
/// `depth` levels of children, through the kube-apiserver as the client's user.
pub async fn fetch(
    client: &Client,
    primary: &Resolved,
    namespace: Option<&str>,
    name: &str,
    depth: Option<u32>,
) -> Result<Value, kube::Error> {
    let namespace = namespace.filter(|_| primary.namespaced);
    let mut path = primary_all::path(&primary.group, &primary.plural, namespace, name);
    if let Some(depth) = depth {
        path.push_str(&format!("?depth={depth}"));
    }
    let request = http::Request::get(path)
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    client.request::<Value>(request).await
}

/// What a failed [`fetch`] means, told with what to do; `discovered` tells an API that is not
/// registered, or does not serve this type, from a primary that does not exist. Discovery took
/// the same credentials, so a 401 here comes from the primary-all server, not the caller's login.
pub fn explain(
    error: kube::Error,
    discovered: &Discovered,
    primary: &Resolved,
    namespace: Option<&str>,
    name: &str,
) -> Error {
    let resource = primary_all::resource_name(&primary.group, &primary.plural);
    let served = format!(
        "{}.{}",
        primary.plural,
        primary_all::served_group(&primary.group)
    );
    let namespace = namespace.filter(|_| primary.namespaced).map(str::to_string);
    let name = name.to_string();
    let code = match &error {
        kube::Error::Api(status) => status.code,
        _ => 0,
    };
    match code {
        404 if !discovered.primary_all_registered(primary) => Error::NotRegistered,
        404 if !discovered.primary_all_serves(primary) => Error::NotServed { resource },
        404 => Error::NotFound {
            resource,
            namespace,
            name,
        },
        403 => Error::Forbidden {
            resource,
            served,
            namespace,
            name,
            source: error,
        },
        401 => Error::ServerUntrusting(error),
        503 => Error::Unavailable(error),
        _ => Error::Request(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::Candidate;
    use kube::core::Status;

    fn database() -> Candidate {
        Candidate {
            group: "demo.example.com".into(),
            version: "v1".into(),
            plural: "databases".into(),
            singular: "database".into(),
            kind: "Database".into(),
            short_names: vec![],
            namespaced: true,
        }
    }

    fn served() -> Discovered {
        let mut served = database();
        served.group = "primary-all.demo.example.com".into();
        Discovered {
            resources: vec![database(), served],
            groups: vec![
                "demo.example.com".into(),
                "primary-all".into(),
                "primary-all.demo.example.com".into(),
            ],
        }
    }

    fn explained(code: u16, discovered: &Discovered) -> String {
        let status = Status::failure("no", "Failure").with_code(code);
        explain(
            kube::Error::Api(status.boxed()),
            discovered,
            &database(),
            Some("prod"),
            "orders",
        )
        .to_string()
    }

    #[test]
    fn each_failure_says_what_to_do() {
        let unregistered = Discovered {
            resources: vec![database()],
            groups: vec!["demo.example.com".into()],
        };
        assert_eq!(
            explained(404, &unregistered),
            "the primary-all API is not registered: run `cargo xtask apiserver`, or see apiserver/README.md"
        );
        let mut not_serving = served();
        not_serving.resources.pop();
        assert_eq!(
            explained(404, &not_serving),
            "the primary-all API does not serve databases.demo.example.com: add it to the server's primary kinds (see apiserver/README.md)"
        );
        assert_eq!(
            explained(404, &served()),
            "databases.demo.example.com `orders` not found in namespace `prod`: check the name, or the namespace with -n"
        );
        assert_eq!(
            explained(403, &served()),
            "you may not get databases.demo.example.com `orders` in namespace `prod`: you need `get` on it, and on `databases.primary-all.demo.example.com`"
        );
        assert!(explained(503, &served()).starts_with("the primary-all API is unavailable"));
        assert!(
            explained(401, &served()).starts_with("the primary-all server refused the request")
        );
    }
}
