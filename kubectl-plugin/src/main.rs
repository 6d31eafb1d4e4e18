//! `kubectl-secondaries`: kubectl runs it for `kubectl secondaries …` when it is on the PATH.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use k8s_openapi::jiff::Timestamp;
use kube::config::KubeConfigOptions;
use kube_secondary::primary_all::PrimaryAll;
use kubectl_secondaries::{
    Cli, Command, Error, Output, Tree, discover, explain, fetch, render, resolve,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Command::Tree(tree) = Cli::parse().command;
    match tree_command(&tree).await {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {}", report(&error));
            ExitCode::FAILURE
        }
    }
}

/// Reads the primary with the user's kubeconfig and prints it as asked.
async fn tree_command(tree: &Tree) -> Result<String, Error> {
    let (kind, name) = tree.type_and_name().ok_or(Error::NoName)?;
    let config = match &tree.context {
        Some(context) => {
            let options = KubeConfigOptions {
                context: Some(context.clone()),
                ..KubeConfigOptions::default()
            };
            kube::Config::from_kubeconfig(&options)
                .await
                .map_err(|error| Error::Config(error.into()))?
        }
        None => kube::Config::infer()
            .await
            .map_err(|error| Error::Config(error.into()))?,
    };
    let namespace = tree
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    let client = kube::Client::try_from(config).map_err(|error| Error::Config(error.into()))?;
    let discovered = discover(&client).await?;
    let primary = resolve(&discovered, kind).ok_or_else(|| Error::UnknownType(kind.into()))?;
    let namespace = Some(namespace.as_str());
    let response = fetch(&client, primary, namespace, name, tree.depth)
        .await
        .map_err(|error| explain(error, &discovered, primary, namespace, name))?;
    match tree.output {
        Output::Json => {
            let json = serde_json::to_string_pretty(&response).map_err(Error::Decode)?;
            Ok(format!("{json}\n"))
        }
        Output::Tree => {
            let response: PrimaryAll = serde_json::from_value(response).map_err(Error::Decode)?;
            Ok(render(&response, now()))
        }
    }
}

fn now() -> Timestamp {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    Timestamp::from_second(since_epoch.as_secs() as i64).expect("a time jiff can represent")
}

/// The error and its causes, each once; an API server's answer by its message alone.
fn report(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let (cause_text, next) = match cause.downcast_ref::<kube::Error>() {
            Some(kube::Error::Api(status)) => (status.message.clone(), None),
            _ => (cause.to_string(), cause.source()),
        };
        if !cause_text.is_empty() && !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = next;
    }
    text
}
