//! Keeps the request-header trust in step with `kube-system/extension-apiserver-authentication`
//! through a kube-runtime watcher on that one ConfigMap.

use std::sync::Arc;

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Client;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};

use crate::authn::Authenticator;
use crate::error::report;
use crate::requestheader::{CONFIG_MAP, RequestHeaderConfig};

/// Runs until the task is aborted.
pub async fn watch(client: Client, authenticator: Arc<Authenticator>) {
    let (namespace, name) = CONFIG_MAP;
    let api: Api<ConfigMap> = Api::namespaced(client, namespace);
    let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let mut listed = false;
    watcher(api, config)
        .default_backoff()
        .for_each(|event| {
            match event {
                Ok(watcher::Event::Init) => listed = false,
                Ok(watcher::Event::Apply(map) | watcher::Event::InitApply(map)) => {
                    listed = true;
                    load(&authenticator, &map);
                }
                Ok(watcher::Event::InitDone) if !listed => {
                    tracing::warn!("{namespace}/{name} does not exist; no caller is authenticated");
                    authenticator.forget();
                }
                Ok(watcher::Event::InitDone) => {}
                Ok(watcher::Event::Delete(_)) => {
                    tracing::warn!("{namespace}/{name} was deleted; no caller is authenticated");
                    authenticator.forget();
                }
                Err(error) => tracing::warn!(%error, "cannot watch {namespace}/{name}; retrying"),
            }
            std::future::ready(())
        })
        .await;
}

fn load(authenticator: &Authenticator, map: &ConfigMap) {
    let data = map.data.clone().unwrap_or_default();
    let loaded = RequestHeaderConfig::from_config_map(&data).and_then(|headers| {
        let summary = (headers.client_ca.len(), headers.allowed_names.clone());
        authenticator.update(headers).map(|()| summary)
    });
    match loaded {
        Ok((cas, allowed_names)) => {
            tracing::info!(cas, ?allowed_names, "request-header authentication loaded")
        }
        Err(error) => {
            let error = report(&error);
            tracing::error!(%error, "cannot use the request-header settings; no caller is authenticated");
            authenticator.forget();
        }
    }
}
