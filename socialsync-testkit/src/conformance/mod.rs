//! The store conformance suite: what every [`PostStore`] must do.
//!
//! One public async function per behaviour, each making its own data with
//! fixed, microsecond-aligned instants and no sleeps, asserting exact
//! boundaries and error kinds. Stamp them all for a store with
//! [`store_conformance_tests!`](crate::store_conformance_tests):
//!
//! ```ignore
//! socialsync_testkit::store_conformance_tests!(|| async { MemoryStore::new() });
//! ```
//!
//! The functions take `Arc<dyn PostStore>` so concurrency behaviours can
//! spawn tasks; the stamped tests run on a multi-threaded runtime. They are
//! stamped in one module per role trait (`tracking_store`,
//! `connection_store`, `credential_store`, `notice_outbox`, `post_catalog`,
//! `scan_queue`, `report_store`, `delivery_log`, `event_log`,
//! `shared_budget`), by the role whose promise each one checks, so
//! `cargo test -p <store> --test conformance scan_queue::` runs one role's.

mod claims;
mod collab;
mod config;
mod connections;
mod events;
mod lifecycle;
mod monitoring;
mod posts;
mod ranges;
mod readings;
mod reports;
mod resilience;
mod shared;
mod sums;
mod untrusted;

pub use claims::*;
pub use collab::*;
pub use config::*;
pub use connections::*;
pub use events::*;
pub use lifecycle::*;
pub use monitoring::*;
pub use posts::*;
pub use ranges::*;
pub use readings::*;
pub use reports::*;
pub use resilience::*;
pub use shared::*;
pub use sums::*;
pub use untrusted::*;

#[doc(hidden)]
pub use socialsync_core::store::PostStore;

/// Stamps one test per conformance behaviour for a store.
///
/// With a store-making expression: one `#[tokio::test]` each. `$make` is
/// callable with no argument and returns a future of a fresh, empty store.
/// The calling crate needs tokio (`macros`, `rt-multi-thread`).
///
/// ```ignore
/// socialsync_testkit::store_conformance_tests!(|| async { MemoryStore::new() });
/// ```
///
/// With `wrap = m, (params) => make`: each behaviour becomes an item
/// `m! { async fn behaviour(params) { .. } }` for the caller's macro `m` to
/// turn into a test (say, one that hands each test a freshly migrated
/// database); `make` is a future of the store and may use the parameters.
///
/// ```ignore
/// macro_rules! pg_test { (async fn $name:ident $params:tt $body:block) => { /* ... */ } }
/// socialsync_testkit::store_conformance_tests!(
///     wrap = pg_test,
///     (options: PgPoolOptions, connect: PgConnectOptions) => store(options, connect)
/// );
/// ```
#[macro_export]
macro_rules! store_conformance_tests {
    (wrap = $wrapper:ident, $params:tt => $make:expr) => {
        $crate::store_conformance_tests!(@list [@wrapped $wrapper, $params, $make]);
    };
    (@list [$($head:tt)*]) => {
        $crate::store_conformance_tests!($($head)*;
            // TrackingStore: brands, creators, scopes and their revision.
            tracking_store: [
                brand_and_creator_round_trip,
                create_scope_refuses_unknown_brand_and_changes_nothing,
                create_scope_refuses_unknown_member_and_changes_nothing,
                another_brands_scope_is_not_found,
                update_scope_changes_and_bumps_revision,
                refused_scope_change_changes_nothing,
                instants_are_truncated_to_micros,
                extreme_instants_round_trip,
                leap_second_instants_round_trip,
                names_holding_nul_or_too_long_are_refused_alike,
            ],
            // ConnectionStore: connections, their status, health and back-off.
            connection_store: [
                disconnect_is_compare_and_set,
                disconnect_with_stale_credentials_conflicts,
                disconnect_pauses_and_reconnect_resumes_posts,
                reset_is_refused_on_active_connection,
                reset_keeps_posts_and_reconnect_takes_them_over,
                status_history_records_intervals,
                health_and_backoff_are_recorded,
                an_absurd_backoff_is_bounded_by_its_reach,
            ],
            // CredentialStore: versioned credentials and the refresh lease.
            credential_store: [
                credentials_swap_only_against_version_read,
                refresh_lease_has_one_holder_at_a_time,
            ],
            // NoticeOutbox: each reconnect notice delivered once.
            notice_outbox: [
                pending_notification_is_redelivered_after_claim_lapses,
                a_panicking_notifier_does_not_starve_other_notices,
                a_permission_name_holding_nul_is_told_once,
            ],
            // PostCatalog: discovery, posts, attribution and listers.
            post_catalog: [
                discovery_lease_and_high_water_mark,
                upsert_posts_is_idempotent,
                post_is_never_duplicated_whoever_finds_it,
                concurrent_upserts_make_one_post,
                new_post_state_follows_attribution,
                seen_post_is_kept_for_retro_matching,
                unmatched_post_becomes_untracked_and_keeps_data,
                post_transitions_follow_the_core_rules,
                attribution_to_several_scopes,
                list_posts_is_brand_isolated,
                collab_post_listed_by_member_first_stays_monitored,
                collab_post_listed_by_non_member_first_stays_monitored,
                listers_survive_disconnect_reset_and_reconnect,
                nul_text_is_dropped_and_other_connections_go_on,
                endless_empty_pages_end_the_listing,
                deleted_posts_listed_again_come_back,
                deleted_post_no_scope_matches_comes_back_untracked,
            ],
            // ScanQueue: claims, completions, snapshots, the window and deletions.
            scan_queue: [
                due_claim_boundary_is_inclusive,
                due_claim_excludes_expired_paused_and_backing_off,
                claim_is_exclusive_until_lease_lapses,
                every_claim_gets_a_fresh_token,
                write_with_replaced_token_is_refused,
                released_claim_keeps_due_time,
                completion_is_idempotent,
                concurrent_claims_never_share_a_post,
                snapshots_are_append_only_and_unique_per_instant,
                snapshot_range_is_half_open,
                completion_sets_next_due_or_final_state,
                expiry_without_a_reading_is_not_a_scan,
                no_reading_after_window_end_plus_one_lease,
                future_dated_post_is_anchored_at_its_discovery,
                a_value_beyond_2_53_is_absent_and_the_rest_lands,
                a_panicking_platform_is_contained_and_run_goes_on,
                half_broken_token_deletes_nothing,
                real_deletions_are_deleted_as_far_as_the_count_fell,
                no_post_count_deletes_nothing,
                deleted_posts_are_read_again_and_come_back,
                an_old_fall_of_the_count_does_not_let_a_half_broken_token_delete,
                post_back_from_deleted_is_guarded_again,
                deleted_post_unread_for_a_missing_permission_stays_deleted,
                deletion_while_reset_is_deleted_after_reconnection,
                suspicion_is_rechecked_daily_not_hourly,
            ],
            // ReportStore: report inputs, exact at any range.
            report_store: [
                report_inputs_follow_scans,
                report_aggregates_move_with_attribution,
                report_inputs_are_brand_isolated,
                unknown_ids_are_not_found,
                reports_mark_deleted_buckets_and_count_states_at_the_end,
                buckets_after_a_deleted_post_expired_are_not_flagged,
                sums_of_the_largest_readings_are_exact,
                reports_serve_ranges_at_the_ends_of_time,
            ],
            // DeliveryLog: each webhook delivery handled once.
            delivery_log: [
                a_webhook_delivery_is_recognised_until_its_window_ends,
                a_late_handlers_forget_keeps_its_successors_finished_delivery,
                a_replayed_removal_leaves_a_reconnected_connection_alone,
                a_delivery_whose_handling_never_finished_is_handled_when_it_comes_again,
                a_replay_is_recognised_across_processes_whose_clocks_differ_by_seconds,
            ],
            // EventLog: the ordered, resumable event log.
            event_log: [
                events_are_kept_in_order_and_resumable,
                a_resume_after_an_id_beyond_the_log_still_gets_what_is_published,
                a_resume_after_the_lowest_id_gets_every_event,
                slow_subscriber_lags_without_blocking_publishers,
                event_log_gives_newest_id_and_a_brands_latest_events,
            ],
            // SharedBudget: never more than a window's limit.
            shared_budget: [
                shared_budget_never_grants_more_than_its_limit,
            ],
        );
    };
    (@wrapped $wrapper:ident, $params:tt, $make:expr;
        $($role:ident: [$($name:ident),* $(,)?]),* $(,)?) => {
        $(
            mod $role {
                #[allow(unused_imports)]
                use super::*;
                $(
                    $wrapper! {
                        async fn $name $params {
                            let store = $make.await;
                            let store: ::std::sync::Arc<dyn $crate::conformance::PostStore> =
                                ::std::sync::Arc::new(store);
                            $crate::conformance::$name(store).await;
                        }
                    }
                )*
            }
        )*
    };
    ($make:expr) => {
        $crate::store_conformance_tests!(@list [@each $make]);
    };
    (@each $make:expr; $($role:ident: [$($name:ident),* $(,)?]),* $(,)?) => {
        $(
            mod $role {
                #[allow(unused_imports)]
                use super::*;
                $(
                    #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        let store = ($make)().await;
                        let store: ::std::sync::Arc<dyn $crate::conformance::PostStore> =
                            ::std::sync::Arc::new(store);
                        $crate::conformance::$name(store).await;
                    }
                )*
            }
        )*
    };
}
