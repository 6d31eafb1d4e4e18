//! What went wrong, in words that say what to do.

/// A failure of the plugin; each message says what to do, its cause is its `source()`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No name given.
    #[error("name the primary: `kubectl secondaries tree TYPE/NAME`, e.g. `database/orders`")]
    NoName,
    /// The kubeconfig could not be read.
    #[error("cannot load a kubeconfig: set KUBECONFIG, or pick a context with --context")]
    Config(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Discovery failed.
    #[error(
        "cannot read the API server's discovery document: check that your kubeconfig's server answers (`kubectl version`)"
    )]
    Discovery(#[source] kube::Error),
    /// The type names no resource the server serves.
    #[error("the server has no resource type `{0}`: see `kubectl api-resources`")]
    UnknownType(String),
    /// The aggregated API is not registered with the kube-apiserver.
    #[error(
        "the primary-all API is not registered: run `cargo xtask apiserver`, or see apiserver/README.md"
    )]
    NotRegistered,
    /// The aggregated API does not serve this type of primary.
    #[error(
        "the primary-all API does not serve {resource}: add it to the server's primary kinds (see apiserver/README.md)"
    )]
    NotServed {
        /// `databases.demo.example.com`.
        resource: String,
    },
    /// The primary does not exist.
    #[error("{resource} `{name}` not found{}: check the name, or the namespace with -n", in_namespace(.namespace))]
    NotFound {
        /// `databases.demo.example.com`.
        resource: String,
        /// Its namespace, if namespaced.
        namespace: Option<String>,
        /// `orders`.
        name: String,
    },
    /// The caller may not read the primary.
    #[error(
        "you may not get {resource} `{name}`{}: you need `get` on it, and on `{served}`",
        in_namespace(.namespace)
    )]
    Forbidden {
        /// `databases.demo.example.com`.
        resource: String,
        /// Its primary-all resource as kubectl and RBAC name it:
        /// `databases.primary-all.demo.example.com`.
        served: String,
        /// Its namespace, if namespaced.
        namespace: Option<String>,
        /// `orders`.
        name: String,
        /// The API server's answer, which names the permission missing.
        source: kube::Error,
    },
    /// The API server refused the caller's credentials.
    #[error("the API server refused your credentials: log in again, or check your kubeconfig")]
    Unauthorized(#[source] kube::Error),
    /// The primary-all server refused a request the kube-apiserver had authenticated and
    /// forwarded: it does not trust the kube-apiserver's front-proxy client certificate.
    #[error(
        "the primary-all server refused the request the kube-apiserver forwarded for you (401; your own credentials were accepted): it does not trust the kube-apiserver's front-proxy certificate. Check its `/readyz` and log, and the request-header CA in ConfigMap kube-system/extension-apiserver-authentication"
    )]
    ServerUntrusting(#[source] kube::Error),
    /// The aggregated API is registered but does not answer now.
    #[error(
        "the primary-all API is unavailable: its server may be starting (caches not synced) or down; try again, or check its APIService (`kubectl get apiservices | grep primary-all`)"
    )]
    Unavailable(#[source] kube::Error),
    /// Any other failure of the request.
    #[error("the request to the primary-all API failed")]
    Request(#[source] kube::Error),
    /// The answer is not a `PrimaryAll`.
    #[error(
        "the primary-all API answered something that is not a PrimaryAll: the server and this plugin may be of different versions"
    )]
    Decode(#[source] serde_json::Error),
}

fn in_namespace(namespace: &Option<String>) -> String {
    match namespace {
        Some(namespace) => format!(" in namespace `{namespace}`"),
        None => String::new(),
    }
}
