//! Tracking configuration: valid changes land, invalid ones are refused with
//! a typed error and change nothing.

use chrono::TimeDelta;
use socialsync::core::clock::{ManualClock, Timestamp};
use socialsync::core::domain::{CampaignWindow, Scope};
use socialsync::core::error::ConfigError;
use socialsync::core::hashtag::HashtagProblem;
use socialsync::core::ids::{BrandId, CreatorId, ScopeId};
use socialsync::core::store::PostStore;
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use std::sync::Arc;

fn t0() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

struct Setup {
    store: Arc<dyn PostStore>,
    tracking: Tracking,
    brand: BrandId,
    ana: CreatorId,
    program: Scope,
    campaign: Scope,
}

async fn setup() -> Setup {
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let tracking = Tracking::new(store.clone(), Arc::new(ManualClock::at(t0())));
    let brand = tracking.create_brand("Acme").await.unwrap().id;
    let ana = tracking
        .create_creator("Ana", Some("user-17"))
        .await
        .unwrap()
        .id;
    let program = tracking
        .create_program(
            brand,
            ScopeSpec::new("Ambassadors", ["#AcmePartner"]).members([ana]),
        )
        .await
        .unwrap();
    let window = CampaignWindow {
        starts_at: Some(t0()),
        ends_at: Some(t0() + TimeDelta::days(30)),
    };
    let campaign = tracking
        .create_campaign(
            brand,
            ScopeSpec::new("Spring", ["SpringWithAcme", "#acmespring"]).members([ana]),
            Some(window),
        )
        .await
        .unwrap();
    Setup {
        store,
        tracking,
        brand,
        ana,
        program,
        campaign,
    }
}

/// Everything the store holds about the brand's configuration.
async fn config_of(s: &Setup) -> (Vec<Scope>, u64) {
    (
        s.store.list_scopes(s.brand).await.unwrap(),
        s.store.tracking_revision().await.unwrap(),
    )
}

#[tokio::test]
async fn valid_configuration_lands() {
    let s = setup().await;
    assert_eq!(s.program.hashtags[0].written(), "AcmePartner");
    assert_eq!(s.program.hashtags[0].key().as_str(), "acmepartner");
    assert_eq!(s.campaign.hashtags.len(), 2);
    let bo = s.tracking.create_creator("Bo", None).await.unwrap().id;
    let scope = s
        .tracking
        .add_members(s.brand, s.campaign.id, &[bo])
        .await
        .unwrap();
    assert!(scope.members.contains(&bo));
    let scope = s
        .tracking
        .add_hashtags(s.brand, s.campaign.id, &["#ACMESPRING", "#launch"])
        .await
        .unwrap();
    assert_eq!(
        scope
            .hashtags
            .iter()
            .map(|h| h.written())
            .collect::<Vec<_>>(),
        ["SpringWithAcme", "acmespring", "launch"],
        "a hashtag already tracked under another spelling is kept once"
    );
    let scope = s
        .tracking
        .set_campaign_window(s.brand, s.campaign.id, None)
        .await
        .unwrap();
    assert_eq!(scope.window(), None);
    assert_eq!(s.tracking.scopes(s.brand).await.unwrap().len(), 2);
}

/// Hashtags to set, and the error they must give.
type Case = (&'static [&'static str], fn(&ConfigError) -> bool);

#[tokio::test]
async fn invalid_hashtags_are_refused_and_change_nothing() {
    let s = setup().await;
    let before = config_of(&s).await;
    let cases: [Case; 8] = [
        (
            &[""],
            |e| matches!(e, ConfigError::InvalidHashtag(h) if h.problem == HashtagProblem::Empty),
        ),
        (
            &["#"],
            |e| matches!(e, ConfigError::InvalidHashtag(h) if h.problem == HashtagProblem::Empty),
        ),
        (
            &["   "],
            |e| matches!(e, ConfigError::InvalidHashtag(h) if h.problem == HashtagProblem::Empty),
        ),
        (
            &["Coca-Cola"],
            |e| matches!(e, ConfigError::InvalidHashtag(h) if h.problem == HashtagProblem::InvalidCharacter { ch: '-' }),
        ),
        (
            &["2025"],
            |e| matches!(e, ConfigError::InvalidHashtag(h) if h.problem == HashtagProblem::NoLetter),
        ),
        (
            &["M&M"],
            |e| matches!(e, ConfigError::InvalidHashtag(h) if h.problem == HashtagProblem::InvalidCharacter { ch: '&' }),
        ),
        (
            &["good", "brand x"],
            |e| matches!(e, ConfigError::InvalidHashtag(h) if h.problem == HashtagProblem::InvalidCharacter { ch: ' ' }),
        ),
        (&[], |e| matches!(e, ConfigError::NoHashtags)),
    ];
    for (tags, is_expected) in cases {
        let e = s
            .tracking
            .set_hashtags(s.brand, s.program.id, tags)
            .await
            .unwrap_err();
        assert!(is_expected(&e), "{tags:?}: unexpected error {e:?}");
        assert!(!e.to_string().is_empty());
        let e = s
            .tracking
            .create_campaign(s.brand, ScopeSpec::new("X", tags.iter().copied()), None)
            .await
            .unwrap_err();
        assert!(
            is_expected(&e),
            "{tags:?} on create: unexpected error {e:?}"
        );
        assert_eq!(config_of(&s).await, before, "{tags:?} changed something");
    }
    let e = s
        .tracking
        .set_hashtags(s.brand, s.program.id, &["#\u{3164}"])
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ConfigError::InvalidHashtag(h) if h.problem == HashtagProblem::EmptyKey),
        "{e:?}"
    );
    assert_eq!(config_of(&s).await, before);
}

#[tokio::test]
async fn error_messages_say_why() {
    let s = setup().await;
    let e = s
        .tracking
        .set_hashtags(s.brand, s.program.id, &["Coca-Cola"])
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("Coca-Cola") && msg.contains('-'), "{msg}");
    let e = s
        .tracking
        .set_hashtags(s.brand, s.program.id, &["2025"])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("2025"), "{e}");
}

#[tokio::test]
async fn invalid_windows_are_refused_and_change_nothing() {
    let s = setup().await;
    let before = config_of(&s).await;
    for end in [t0() - TimeDelta::days(1), t0()] {
        let w = CampaignWindow {
            starts_at: Some(t0()),
            ends_at: Some(end),
        };
        let e = s
            .tracking
            .set_campaign_window(s.brand, s.campaign.id, Some(w))
            .await
            .unwrap_err();
        assert!(matches!(e, ConfigError::InvalidWindow { .. }), "{e:?}");
        let e = s
            .tracking
            .create_campaign(s.brand, ScopeSpec::new("X", ["x"]), Some(w))
            .await
            .unwrap_err();
        assert!(matches!(e, ConfigError::InvalidWindow { .. }), "{e:?}");
    }
    let w = CampaignWindow {
        starts_at: Some(t0()),
        ends_at: None,
    };
    let e = s
        .tracking
        .set_campaign_window(s.brand, s.program.id, Some(w))
        .await
        .unwrap_err();
    assert!(matches!(e, ConfigError::NotApplicable(_)), "{e:?}");
    assert_eq!(config_of(&s).await, before);
}

#[tokio::test]
async fn unknown_brand_member_and_other_brands_scope_are_not_found() {
    let s = setup().await;
    let other = s.tracking.create_brand("Other").await.unwrap().id;
    let before = config_of(&s).await;
    let not_found = |e: &ConfigError, entity: &str| matches!(e, ConfigError::NotFound { entity: x, .. } if *x == entity);
    let e = s
        .tracking
        .create_program(BrandId(999), ScopeSpec::new("P", ["x"]))
        .await
        .unwrap_err();
    assert!(not_found(&e, "brand"), "{e:?}");
    let e = s.tracking.scopes(BrandId(999)).await.unwrap_err();
    assert!(not_found(&e, "brand"), "{e:?}");
    let e = s
        .tracking
        .create_program(
            s.brand,
            ScopeSpec::new("P", ["x"]).members([s.ana, CreatorId(999)]),
        )
        .await
        .unwrap_err();
    assert!(not_found(&e, "creator"), "{e:?}");
    let e = s
        .tracking
        .add_members(s.brand, s.program.id, &[CreatorId(999)])
        .await
        .unwrap_err();
    assert!(not_found(&e, "creator"), "{e:?}");
    // Another brand's scope: not found, whatever the operation.
    let e = s.tracking.scope(other, s.program.id).await.unwrap_err();
    assert!(not_found(&e, "scope"), "{e:?}");
    let e = s
        .tracking
        .set_hashtags(other, s.program.id, &["x"])
        .await
        .unwrap_err();
    assert!(not_found(&e, "scope"), "{e:?}");
    let e = s
        .tracking
        .add_members(other, s.program.id, &[s.ana])
        .await
        .unwrap_err();
    assert!(not_found(&e, "scope"), "{e:?}");
    let e = s
        .tracking
        .remove_members(other, s.program.id, &[s.ana])
        .await
        .unwrap_err();
    assert!(not_found(&e, "scope"), "{e:?}");
    let e = s
        .tracking
        .set_campaign_window(other, s.campaign.id, None)
        .await
        .unwrap_err();
    assert!(not_found(&e, "scope"), "{e:?}");
    let e = s.tracking.scope(s.brand, ScopeId(999)).await.unwrap_err();
    assert!(not_found(&e, "scope"), "{e:?}");
    assert!(s.tracking.scopes(other).await.unwrap().is_empty());
    assert_eq!(config_of(&s).await, before);
}

#[tokio::test]
async fn empty_names_are_refused() {
    let s = setup().await;
    assert!(matches!(
        s.tracking.create_brand("  ").await,
        Err(ConfigError::EmptyName("brand"))
    ));
    assert!(matches!(
        s.tracking.create_creator("", None).await,
        Err(ConfigError::EmptyName("creator"))
    ));
    let e = s
        .tracking
        .create_program(s.brand, ScopeSpec::new(" ", ["x"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ConfigError::EmptyName("scope")));
}
