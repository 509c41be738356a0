//! [`forward_roles!`](crate::forward_roles): the roles a store decorator
//! does not change, handed to the store it wraps.

/// Implements the named role traits for a decorator by handing every call
/// to the store in one of its fields, so the decorator writes only the roles
/// it changes.
///
/// `forward_roles!(Type => field: Role, Role, …)`: `Type` is a concrete type
/// and `field` an `Arc` or `Box` of a store (`Arc<dyn PostStore>`, or any
/// type implementing the roles named). The roles are [`TrackingStore`],
/// [`ConnectionStore`], [`CredentialStore`], [`NoticeOutbox`],
/// [`PostCatalog`], [`ScanQueue`], [`ReportStore`], [`DeliveryLog`],
/// [`EventLog`] and [`SharedBudget`]; a type that has all ten, forwarded or
/// its own, is a [`PostStore`].
///
/// ```
/// use socialsync_core::error::StoreResult;
/// use socialsync_core::report::{ReportInputs, ReportQuery};
/// use socialsync_core::store::{PostStore, ReportStore};
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// /// Counts the reports read, and leaves everything else as it was.
/// #[derive(Debug)]
/// struct Counting {
///     inner: Arc<dyn PostStore>,
///     reports: AtomicUsize,
/// }
///
/// #[async_trait::async_trait]
/// impl ReportStore for Counting {
///     async fn report_inputs(&self, query: ReportQuery) -> StoreResult<ReportInputs> {
///         self.reports.fetch_add(1, Ordering::Relaxed);
///         self.inner.report_inputs(query).await
///     }
/// }
///
/// socialsync_core::forward_roles!(Counting => inner:
///     TrackingStore, ConnectionStore, CredentialStore, NoticeOutbox, PostCatalog,
///     ScanQueue, DeliveryLog, EventLog, SharedBudget);
///
/// fn full(c: Counting) -> Arc<dyn PostStore> {
///     Arc::new(c)
/// }
/// ```
///
/// [`TrackingStore`]: crate::store::TrackingStore
/// [`ConnectionStore`]: crate::store::ConnectionStore
/// [`CredentialStore`]: crate::store::CredentialStore
/// [`NoticeOutbox`]: crate::store::NoticeOutbox
/// [`PostCatalog`]: crate::store::PostCatalog
/// [`ScanQueue`]: crate::store::ScanQueue
/// [`ReportStore`]: crate::store::ReportStore
/// [`DeliveryLog`]: crate::store::DeliveryLog
/// [`EventLog`]: crate::store::EventLog
/// [`SharedBudget`]: crate::store::SharedBudget
/// [`PostStore`]: crate::store::PostStore
#[macro_export]
macro_rules! forward_roles {
    ($ty:ty => $field:ident : $($role:ident),+ $(,)?) => {
        $( $crate::__forward_role!($role, $ty, $field); )+
    };
}

/// One role of [`forward_roles!`](crate::forward_roles): its methods, once.
#[doc(hidden)]
#[macro_export]
macro_rules! __forward_role {
    (TrackingStore, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit TrackingStore, $ty, $f {
        fn create_brand(new: $crate::store::NewBrand, now: $crate::clock::Timestamp) -> $crate::domain::Brand;
        fn get_brand(id: $crate::ids::BrandId) -> Option<$crate::domain::Brand>;
        fn create_creator(new: $crate::store::NewCreator, now: $crate::clock::Timestamp) -> $crate::domain::Creator;
        fn get_creator(id: $crate::ids::CreatorId) -> Option<$crate::domain::Creator>;
        fn create_scope(new: $crate::store::NewScope, now: $crate::clock::Timestamp) -> $crate::domain::Scope;
        fn get_scope(brand: $crate::ids::BrandId, id: $crate::ids::ScopeId) -> Option<$crate::domain::Scope>;
        fn list_scopes(brand: $crate::ids::BrandId) -> Vec<$crate::domain::Scope>;
        fn list_scopes_for_creator(creator: $crate::ids::CreatorId) -> Vec<$crate::domain::Scope>;
        fn update_scope(brand: $crate::ids::BrandId, id: $crate::ids::ScopeId, change: $crate::store::ScopeChange) -> $crate::domain::Scope;
        fn tracking_revision() -> u64;
    }); };
    (ConnectionStore, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit ConnectionStore, $ty, $f {
        fn connect(new: $crate::store::NewConnection, now: $crate::clock::Timestamp) -> $crate::store::Connected;
        fn get_connection(id: $crate::ids::ConnectionId) -> Option<$crate::domain::Connection>;
        fn get_connection_by_account(platform: $crate::platform::Platform, account: &$crate::ids::PlatformAccountId) -> Option<$crate::domain::Connection>;
        fn list_connections(filter: $crate::store::ConnectionFilter) -> Vec<$crate::domain::Connection>;
        fn disconnect(request: $crate::store::DisconnectRequest) -> $crate::domain::Disconnection;
        fn reset_connection(id: $crate::ids::ConnectionId, now: $crate::clock::Timestamp) -> $crate::domain::Connection;
        fn record_health(id: $crate::ids::ConnectionId, update: $crate::store::HealthUpdate) -> ();
        fn check_post_count(id: $crate::ids::ConnectionId, check: $crate::domain::PostCountCheck) -> $crate::domain::PostCountVerdict;
        fn set_backoff(target: $crate::store::BackoffTarget, until: $crate::clock::Timestamp) -> ();
        fn get_platform_backoff(platform: $crate::platform::Platform) -> Option<$crate::clock::Timestamp>;
    }); };
    (CredentialStore, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit CredentialStore, $ty, $f {
        fn get_credentials(id: $crate::ids::ConnectionId) -> Option<$crate::credentials::VersionedCredentials>;
        fn swap_credentials(id: $crate::ids::ConnectionId, expected_version: u64, credentials: $crate::credentials::Credentials) -> u64;
        fn try_lock_refresh(id: $crate::ids::ConnectionId, now: $crate::clock::Timestamp, until: $crate::clock::Timestamp) -> Option<$crate::ids::LeaseToken>;
        fn unlock_refresh(id: $crate::ids::ConnectionId, token: $crate::ids::LeaseToken) -> ();
    }); };
    (NoticeOutbox, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit NoticeOutbox, $ty, $f {
        fn claim_pending_notifications(now: $crate::clock::Timestamp, claim_until: $crate::clock::Timestamp, limit: usize) -> Vec<$crate::domain::Disconnection>;
        fn mark_notified(id: $crate::ids::DisconnectionId) -> ();
    }); };
    (PostCatalog, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit PostCatalog, $ty, $f {
        fn try_claim_discovery(id: $crate::ids::ConnectionId, now: $crate::clock::Timestamp, until: $crate::clock::Timestamp) -> Option<$crate::ids::LeaseToken>;
        fn finish_discovery(id: $crate::ids::ConnectionId, token: $crate::ids::LeaseToken, progress: $crate::store::DiscoveryProgress) -> ();
        fn upsert_posts(posts: Vec<$crate::store::PostUpsert>, now: $crate::clock::Timestamp) -> Vec<$crate::store::UpsertedPost>;
        fn set_attribution(post: $crate::ids::PostId, attribution: Vec<$crate::domain::Attribution>, now: $crate::clock::Timestamp) -> $crate::domain::PostState;
        fn get_post(id: $crate::ids::PostId) -> Option<$crate::domain::Post>;
        fn get_post_by_key(platform: $crate::platform::Platform, id: &$crate::ids::PlatformPostId) -> Option<$crate::domain::Post>;
        fn list_posts(filter: $crate::store::PostFilter) -> Vec<$crate::domain::Post>;
        fn expire_paused_posts(now: $crate::clock::Timestamp) -> u64;
    }); };
    (ScanQueue, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit ScanQueue, $ty, $f {
        fn claim_due_posts(request: $crate::store::ClaimRequest) -> Vec<$crate::store::ClaimedPost>;
        fn complete_scans(completions: Vec<$crate::store::ScanCompletion>) -> Vec<$crate::store::CompletionOutcome>;
        fn release_claims(releases: Vec<$crate::store::Release>) -> ();
        fn list_snapshots(post: $crate::ids::PostId, from: $crate::clock::Timestamp, to: $crate::clock::Timestamp) -> Vec<$crate::domain::Snapshot>;
        fn latest_snapshot(post: $crate::ids::PostId) -> Option<$crate::domain::Snapshot>;
    }); };
    (ReportStore, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit ReportStore, $ty, $f {
        fn report_inputs(query: $crate::report::ReportQuery) -> $crate::report::ReportInputs;
    }); };
    (DeliveryLog, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit DeliveryLog, $ty, $f {
        fn claim_delivery(claim: $crate::store::DeliveryClaimRequest) -> $crate::store::DeliveryClaim;
        fn finish_delivery(key: &str, token: $crate::ids::LeaseToken) -> ();
        fn forget_delivery(key: &str, token: $crate::ids::LeaseToken) -> ();
    }); };
    (EventLog, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit EventLog, $ty, $f {
        fn publish_event(event: $crate::events::Event) -> $crate::events::StoredEvent;
        fn publish_events(events: Vec<$crate::events::Event>) -> Option<$crate::ids::EventId>;
        fn list_events(after: Option<$crate::ids::EventId>, limit: usize) -> Vec<$crate::events::StoredEvent>;
        fn newest_event_id() -> Option<$crate::ids::EventId>;
        fn latest_events(brand: $crate::ids::BrandId, limit: usize) -> Vec<$crate::events::StoredEvent>;
        fn subscribe_events(after: Option<$crate::ids::EventId>) -> $crate::events::EventStream;
    }); };
    (SharedBudget, $ty:ty, $f:ident) => { $crate::__forward_role!(@emit SharedBudget, $ty, $f {
        fn acquire(request: $crate::store::BudgetRequest) -> $crate::store::BudgetDecision;
    }); };
    (@emit $role:ident, $ty:ty, $f:ident {
        $( fn $name:ident ( $($arg:ident : $argty:ty),* ) -> $ret:ty; )*
    }) => {
        #[$crate::__private::async_trait]
        impl $crate::store::$role for $ty {
            $(
                async fn $name(&self $(, $arg: $argty)*) -> $crate::error::StoreResult<$ret> {
                    $crate::store::$role::$name(&*self.$f $(, $arg)*).await
                }
            )*
        }
    };
}
