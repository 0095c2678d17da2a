//! When the operator is ready (`/readyz`): once the watch of every controller it runs has listed
//! its resources (a reflector's initial list done), so that a new replica is not counted as
//! serving before it has seen what exists. A standby replica waiting for the leader lease is
//! ready too: it has nothing to list until it leads, and a rollout must not wait for it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use kube::runtime::reflector::{Lookup, Store};

/// The controllers' listings: how many were registered, how many are done.
#[derive(Debug, Default)]
pub struct Startup {
    registered: AtomicUsize,
    listed: AtomicUsize,
    /// Every controller is registered: none is still to come.
    sealed: AtomicBool,
    /// Waiting for the leader lease.
    standby: AtomicBool,
}

impl Startup {
    /// One more controller whose watch must list its resources before the operator is ready.
    pub fn register(self: &Arc<Self>, controller: &'static str) -> Listing {
        self.registered.fetch_add(1, Ordering::SeqCst);
        Listing {
            startup: Arc::clone(self),
            controller,
        }
    }

    /// Every controller is registered.
    pub fn seal(&self) {
        self.sealed.store(true, Ordering::SeqCst);
    }

    /// This replica waits for the leader lease (it stays ready once it leads).
    pub fn standby(&self) {
        self.standby.store(true, Ordering::SeqCst);
    }

    /// Whether `/readyz` says ready.
    pub fn is_ready(&self) -> bool {
        self.standby.load(Ordering::SeqCst)
            || (self.sealed.load(Ordering::SeqCst) && self.listed.load(Ordering::SeqCst) >= self.registered.load(Ordering::SeqCst))
    }
}

/// One controller's initial list, still to be done.
#[derive(Debug)]
pub struct Listing {
    startup: Arc<Startup>,
    controller: &'static str,
}

impl Listing {
    /// Marks the listing done.
    pub fn done(self) {
        self.startup.listed.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(controller = self.controller, "initial list done");
    }

    /// Waits until `store` (a controller's reflector) has listed its resources, then marks the
    /// listing done; a store whose controller stopped first is never marked.
    pub async fn when_listed<K>(self, store: Store<K>)
    where
        K: Lookup + Clone + 'static,
        K::DynamicType: Eq + std::hash::Hash + Clone,
    {
        if store.wait_until_ready().await.is_ok() {
            self.done();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::runtime::reflector::store;
    use kube::runtime::watcher::Event;

    #[test]
    fn ready_once_every_registered_listing_is_done_and_none_is_to_come() {
        let s = Arc::new(Startup::default());
        assert!(!s.is_ready(), "nothing registered, but more may come");
        let a = s.register("a");
        let b = s.register("b");
        s.seal();
        assert!(!s.is_ready());
        a.done();
        assert!(!s.is_ready(), "b has not listed");
        b.done();
        assert!(s.is_ready());
    }

    #[test]
    fn a_standby_is_ready_before_any_listing() {
        let s = Arc::new(Startup::default());
        let _a = s.register("a");
        s.standby();
        assert!(s.is_ready());
    }

    #[tokio::test]
    async fn a_listing_is_done_when_its_reflector_has_listed() {
        let s = Arc::new(Startup::default());
        let (reader, mut writer) = store::<ConfigMap>();
        let listing = tokio::spawn(s.register("configmaps").when_listed(reader));
        s.seal();
        writer.apply_watcher_event(&Event::Init);
        let mut cm = ConfigMap::default();
        cm.metadata.name = Some("a".into());
        writer.apply_watcher_event(&Event::InitApply(cm));
        tokio::task::yield_now().await;
        assert!(!s.is_ready(), "the initial list is not done yet");
        writer.apply_watcher_event(&Event::InitDone);
        listing.await.unwrap();
        assert!(s.is_ready());
    }

    #[tokio::test]
    async fn a_reflector_dropped_before_its_list_never_counts() {
        let s = Arc::new(Startup::default());
        let (reader, writer) = store::<ConfigMap>();
        let listing = tokio::spawn(s.register("configmaps").when_listed(reader));
        s.seal();
        drop(writer);
        listing.await.unwrap();
        assert!(!s.is_ready());
    }
}
