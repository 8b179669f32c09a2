//! Paginated operations as async streams of pages, or of the items on them.

use std::collections::{HashSet, VecDeque};
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::error::{ResponseFailure, ResponseMetadata, SdkError};
use crate::middleware::BoxFuture;

type Fetch<O, E> = Box<dyn Fn(Option<String>) -> BoxFuture<'static, Result<O, SdkError<E>>> + Send>;

/// The pages of a paginated operation, fetched one at a time as the stream is read.
///
/// It stops after a page without a next token (absent or empty), and fails instead of
/// looping when the service hands back a token it already gave.
///
/// # Example
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use lamina_runtime::error::{SdkError, Unhandled};
/// use lamina_runtime::paginator::PageStream;
///
/// // Three pages of numbers; the token is the next page's index.
/// let fetch = |token: Option<String>| {
///     let page: usize = token.map_or(0, |t| t.parse().unwrap());
///     Box::pin(async move { Ok::<_, SdkError<Unhandled>>((page, page < 2)) })
///         as lamina_runtime::middleware::BoxFuture<'static, _>
/// };
/// let next = |page: &(usize, bool)| page.1.then(|| (page.0 + 1).to_string());
/// let pages = PageStream::new(fetch, next);
/// let all: Vec<usize> = pages.items(|page| vec![page.0]).collect().await.unwrap();
/// assert_eq!(all, [0, 1, 2]);
/// # });
/// ```
pub struct PageStream<O, E> {
    fetch: Fetch<O, E>,
    next_token: fn(&O) -> Option<String>,
    pending: Option<BoxFuture<'static, Result<O, SdkError<E>>>>,
    token: Option<String>,
    seen: HashSet<String>,
    done: bool,
}

impl<O: 'static, E: 'static> PageStream<O, E> {
    /// Pages fetched by `fetch` (given the previous page's token, `None` for the first), with
    /// `next_token` reading the token out of a page.
    pub fn new<F>(fetch: F, next_token: fn(&O) -> Option<String>) -> Self
    where
        F: Fn(Option<String>) -> BoxFuture<'static, Result<O, SdkError<E>>> + Send + 'static,
    {
        Self {
            fetch: Box::new(fetch),
            next_token,
            pending: None,
            token: None,
            seen: HashSet::new(),
            done: false,
        }
    }

    /// The next page, or `None` after the last one.
    pub async fn next(&mut self) -> Option<Result<O, SdkError<E>>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The items on the pages, one at a time, as `items_of` takes them from each page.
    pub fn items<T>(self, items_of: fn(&O) -> Vec<T>) -> ItemStream<T, O, E> {
        ItemStream {
            pages: self,
            items_of,
            buffer: VecDeque::new(),
        }
    }

    /// Every page, or the first error.
    pub async fn collect(mut self) -> Result<Vec<O>, SdkError<E>> {
        let mut pages = Vec::new();
        while let Some(page) = self.next().await {
            pages.push(page?);
        }
        Ok(pages)
    }
}

impl<O, E> Unpin for PageStream<O, E> {}

impl<O: 'static, E: 'static> Stream for PageStream<O, E> {
    type Item = Result<O, SdkError<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if self.pending.is_none() {
            let token = self.token.take();
            let future = (self.fetch)(token);
            self.pending = Some(future);
        }
        let Some(pending) = self.pending.as_mut() else {
            return Poll::Ready(None);
        };
        let result = match pending.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        self.pending = None;

        let page = match result {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Poll::Ready(Some(Err(e)));
            }
        };
        match (self.next_token)(&page).filter(|t| !t.is_empty()) {
            None => self.done = true,
            Some(token) if !self.seen.insert(token.clone()) => {
                self.done = true;
                let message = format!(
                    "the service returned the page token {token:?} a second time; stopping \
                     instead of fetching the same pages forever"
                );
                let failure = ResponseFailure::new(message, ResponseMetadata::default(), None);
                return Poll::Ready(Some(Err(SdkError::Response(failure))));
            }
            Some(token) => self.token = Some(token),
        }
        Poll::Ready(Some(Ok(page)))
    }
}

/// The items of a paginated operation, fetching pages as they are needed.
pub struct ItemStream<T, O, E> {
    pages: PageStream<O, E>,
    items_of: fn(&O) -> Vec<T>,
    buffer: VecDeque<T>,
}

impl<T, O: 'static, E: 'static> ItemStream<T, O, E> {
    /// The next item, or `None` after the last page.
    pub async fn next(&mut self) -> Option<Result<T, SdkError<E>>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every item, or the first error.
    pub async fn collect(mut self) -> Result<Vec<T>, SdkError<E>> {
        let mut items = Vec::new();
        while let Some(item) = self.next().await {
            items.push(item?);
        }
        Ok(items)
    }
}

impl<T, O, E> Unpin for ItemStream<T, O, E> {}

impl<T, O: 'static, E: 'static> Stream for ItemStream<T, O, E> {
    type Item = Result<T, SdkError<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut self.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => {
                    let items = (self.items_of)(&page);
                    self.buffer.extend(items);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Unhandled;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn pages(
        tokens: Vec<Option<&'static str>>,
    ) -> (PageStream<Option<String>, Unhandled>, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let fetch = move |_token: Option<String>| {
            let i = counter.fetch_add(1, Ordering::SeqCst);
            let next = tokens.get(i).copied().flatten().map(str::to_owned);
            Box::pin(async move { Ok(next) }) as BoxFuture<'static, _>
        };
        (
            PageStream::new(fetch, |page: &Option<String>| page.clone()),
            calls,
        )
    }

    #[tokio::test]
    async fn stops_at_an_absent_or_empty_token() {
        let (stream, calls) = pages(vec![Some("a"), Some("b"), None]);
        assert_eq!(stream.collect().await.unwrap().len(), 3);
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let (stream, _) = pages(vec![Some("a"), Some("")]);
        assert_eq!(stream.collect().await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_repeated_token_is_an_error_not_a_loop() {
        let (stream, calls) = pages(vec![Some("a"), Some("b"), Some("a"), Some("c")]);
        let err = stream.collect().await.unwrap_err();
        assert!(err.to_string().contains("\"a\" a second time"), "{err}");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}
