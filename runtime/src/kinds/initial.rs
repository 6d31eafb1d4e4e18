//! How a watch gets its first full picture: a streaming list (`sendInitialEvents`, served by
//! Kubernetes 1.32 and later), so the objects arrive one by one instead of as pages of 500 held
//! in memory at once, and a paginated list when the API server refuses streaming lists.

use futures::stream::{self, BoxStream, StreamExt};
use kube::runtime::watcher;

/// A kind's watch events.
pub(crate) type Events<K> = BoxStream<'static, watcher::Result<watcher::Event<K>>>;

/// The events of the watcher `watch` makes from `config`, listing by a streaming list when
/// `streaming` and the API server serves it; when the server refuses it (`400` or `422` before
/// the first list completed), one info line and a paginated list from then on.
pub(crate) fn events<K, W>(config: watcher::Config, streaming: bool, watch: W) -> Events<K>
where
    K: Send + 'static,
    W: Fn(watcher::Config) -> Events<K> + Send + 'static,
{
    if !streaming {
        return watch(config);
    }
    let first = watch(config.clone().streaming_lists());
    let fallback = Some((watch, config));
    stream::unfold((first, fallback), |(mut events, mut fallback)| async move {
        loop {
            let item = events.next().await?;
            match &item {
                Ok(watcher::Event::InitDone) => fallback = None,
                Err(error) if refuses_streaming(error) => {
                    if let Some((watch, config)) = fallback.take() {
                        tracing::info!(error = %crate::error::chain(error), "the API server refuses streaming lists; listing with pages instead");
                        events = watch(config);
                        continue;
                    }
                }
                _ => {}
            }
            return Some((item, (events, fallback)));
        }
    })
    .boxed()
}

/// Whether the API server refused the watch that starts a streaming list: it validates
/// `sendInitialEvents` (`422`) or does not know the parameters (`400`).
fn refuses_streaming(error: &watcher::Error) -> bool {
    let code = match error {
        watcher::Error::WatchStartFailed(kube::Error::Api(status)) => status.code,
        watcher::Error::WatchError(status) => status.code,
        _ => return false,
    };
    matches!(code, 400 | 422)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn refused() -> watcher::Error {
        let mut status = kube::core::Status::failure("sendInitialEvents is forbidden", "Invalid");
        status.code = 422;
        watcher::Error::WatchStartFailed(kube::Error::Api(Box::new(status)))
    }

    /// A watch that refuses streaming lists and lists otherwise; counts the lists it started.
    fn server(lists: Arc<AtomicUsize>) -> impl Fn(watcher::Config) -> Events<u32> {
        move |config: watcher::Config| {
            let streaming =
                config.initial_list_strategy == watcher::InitialListStrategy::StreamingList;
            if streaming {
                return stream::iter([Err(refused())]).boxed();
            }
            lists.fetch_add(1, Ordering::SeqCst);
            let events = [
                watcher::Event::Init,
                watcher::Event::InitApply(7),
                watcher::Event::InitDone,
            ];
            stream::iter(events.map(Ok)).boxed()
        }
    }

    #[tokio::test]
    async fn a_refused_streaming_list_falls_back_to_a_paginated_list_once() {
        let lists = Arc::new(AtomicUsize::new(0));
        let seen: Vec<_> = events(watcher::Config::default(), true, server(lists.clone()))
            .collect()
            .await;
        let applied: Vec<u32> = seen
            .iter()
            .filter_map(|event| match event {
                Ok(watcher::Event::InitApply(n)) => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(applied, vec![7]);
        assert!(
            seen.iter().all(Result::is_ok),
            "the refusal is not passed on"
        );
        assert_eq!(lists.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn errors_after_the_first_list_and_other_errors_pass_through() {
        let after = |config: watcher::Config| -> Events<u32> {
            assert_eq!(
                config.initial_list_strategy,
                watcher::InitialListStrategy::StreamingList
            );
            let events = [
                Ok(watcher::Event::Init),
                Ok(watcher::Event::InitDone),
                Err(refused()),
            ];
            stream::iter(events).boxed()
        };
        let seen: Vec<_> = events(watcher::Config::default(), true, after)
            .collect()
            .await;
        assert!(matches!(seen.last(), Some(Err(_))), "{seen:?}");
        assert!(!refuses_streaming(&watcher::Error::NoResourceVersion));
    }
}
