//! The quickstart: configure a brand with a creator program and a campaign,
//! then see which captions match which scope.
//!
//! Run with `cargo run --example quickstart`.

use chrono::TimeDelta;
use socialsync::core::clock::{Clock, ManualClock, Timestamp};
use socialsync::core::domain::CampaignWindow;
use socialsync::core::matching::{attribute, find_hashtags};
use socialsync::core::store::PostStore;
use socialsync::core::tracking::{ScopeSpec, Tracking};
use socialsync::memory::MemoryStore;
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let start: Timestamp = "2026-03-01T00:00:00Z".parse()?;
    let clock = Arc::new(ManualClock::at(start));
    let store: Arc<dyn PostStore> = Arc::new(MemoryStore::new());
    let tracking = Tracking::new(store.clone(), clock.clone());

    let brand = tracking.create_brand("Acme Outdoor").await?;
    let ana = tracking.create_creator("Ana", None).await?;
    let bo = tracking.create_creator("Bo", None).await?;
    let program = tracking
        .create_program(
            brand.id,
            ScopeSpec::new("Ambassadors", ["#AcmeOutdoor"]).members([ana.id, bo.id]),
        )
        .await?;
    let window = CampaignWindow {
        starts_at: Some(start),
        ends_at: Some(start + TimeDelta::days(14)),
    };
    let campaign = tracking
        .create_campaign(
            brand.id,
            ScopeSpec::new("Spring hike", ["#SpringHike", "#acmespring"]).members([ana.id]),
            Some(window),
        )
        .await?;
    let scopes = store.list_scopes(brand.id).await?;
    println!(
        "brand {} — program {:?}, campaign {:?}",
        brand.name, program.name, campaign.name
    );

    let captions = [
        (
            ana.id,
            1,
            "Sunrise on the ridge #acmeoutdoor #SpringHike 🏔️",
        ),
        (
            ana.id,
            20,
            "Late spring photos #SPRINGHIKE (after the campaign window)",
        ),
        (bo.id, 2, "New boots! #AcmeOutdoor #ad"),
        (bo.id, 3, "#SpringHike but Bo is not in the campaign"),
        (
            ana.id,
            4,
            "#AcmeOutdoorsy is another tag, and so is https://acme.example/#acmeoutdoor",
        ),
    ];
    for (creator, day, caption) in captions {
        let published = clock.now() + TimeDelta::days(day);
        let found = find_hashtags(None, caption, &[]);
        let matched = attribute(creator, published, &found, &scopes);
        let names: Vec<String> = matched
            .iter()
            .map(|a| {
                let scope = scopes
                    .iter()
                    .find(|s| s.id == a.scope)
                    .map(|s| s.name.as_str())
                    .unwrap_or("?");
                format!("{scope} (#{} = #{})", a.found.written, a.tracked)
            })
            .collect();
        let who = if creator == ana.id { "Ana" } else { "Bo" };
        println!(
            "day {day:>2} {who:<3} {caption:<75} → {}",
            if names.is_empty() {
                "no match".to_owned()
            } else {
                names.join(", ")
            }
        );
    }
    Ok(())
}
