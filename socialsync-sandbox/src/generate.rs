//! Generated posts: captions with hashtags in many scripts and metrics of
//! every behaviour, drawn from the sandbox's seed.

use crate::model::{Curve, MediaType, Metric, PostSpec, ProductType};
use crate::rng::SplitMix64;
use chrono::TimeDelta;
use socialsync_core::clock::Timestamp;
use socialsync_core::platform::Platform;

/// Hashtags in many scripts, some differing only by case or width.
const TAGS: [&str; 16] = [
    "#Café",
    "#cafe",
    "#東京",
    "#Привет",
    "#مرحبا",
    "#नमस्ते",
    "#서울",
    "#ÜberCool",
    "#ＢＲＡＮＤＸ",
    "#straße",
    "#ελλάδα",
    "#ootd",
    "#fyp",
    "#ad",
    "#שלום",
    "#กรุงเทพ",
];

const WORDS: [&str; 8] = [
    "Morning run",
    "New drop is live!",
    "Trying the new recipe 🍜",
    "Behind the scenes",
    "Q&A time",
    "Unboxing 📦",
    "Weekend vibes ☀️",
    "Day 3 of the challenge",
];

fn pick<'a>(rng: &mut SplitMix64, items: &[&'a str]) -> &'a str {
    items
        .get(rng.below(items.len() as u64) as usize)
        .copied()
        .unwrap_or("")
}

/// A post published at `at` with a generated caption and metric curves.
pub(crate) fn post_spec(
    rng: &mut SplitMix64,
    platform: Platform,
    at: Timestamp,
    hashtags: &[&str],
) -> PostSpec {
    let mut text = pick(rng, &WORDS).to_owned();
    for _ in 0..1 + rng.below(3) {
        text.push(' ');
        text.push_str(pick(rng, &TAGS));
    }
    if !hashtags.is_empty() && rng.below(2) == 0 {
        let tag = pick(rng, hashtags);
        // First position, last position, or in the middle.
        match rng.below(3) {
            0 => text = format!("#{} {text}", tag.trim_start_matches('#')),
            1 => text = format!("{text} #{}", tag.trim_start_matches('#')),
            _ => text = format!("{text} #{} ✨", tag.trim_start_matches('#')),
        }
    }
    let mut spec = PostSpec::new(at);
    match platform {
        Platform::Instagram => {
            spec.caption = (rng.below(10) != 0).then(|| text.clone());
            let (media, product) = match rng.below(3) {
                0 => (MediaType::Video, ProductType::Reels),
                1 => (MediaType::CarouselAlbum, ProductType::Feed),
                _ => (MediaType::Image, ProductType::Feed),
            };
            spec.media_type = media;
            spec.product_type = product;
        }
        Platform::TikTok => {
            spec.description = text.clone();
        }
        Platform::YouTube => {
            spec.title = pick(rng, &WORDS).to_owned();
            spec.description = text.clone();
            spec.tags = vec!["brand x".to_owned(), "vlog".to_owned()];
        }
        // A platform the sandbox does not simulate yet: a description.
        _ => spec.description = text.clone(),
    }
    let views_per_hour = 10 + rng.below(500);
    let behaviour = rng.below(6);
    let views = match behaviour {
        0 => Curve::Constant(rng.below(1000)),
        1 => Curve::Saturating {
            total: views_per_hour * 200,
            half_life_hours: 24 + rng.below(72),
        },
        _ => Curve::linear(rng.below(100), views_per_hour),
    };
    let likes = match behaviour {
        2 => Curve::Declining {
            start: 500 + rng.below(500),
            per_hour: 1 + rng.below(3),
            floor: 100,
        },
        _ => Curve::linear(0, views_per_hour / 10 + 1),
    };
    spec = spec
        .with_metric(Metric::Views, views)
        .with_metric(Metric::Reach, Curve::linear(0, views_per_hour * 2 / 3 + 1))
        .with_metric(Metric::Likes, likes)
        .with_metric(Metric::Comments, Curve::linear(0, rng.below(5)))
        .with_metric(Metric::Shares, Curve::linear(0, rng.below(3)))
        .with_metric(Metric::Saves, Curve::linear(0, rng.below(3)))
        .with_metric(
            Metric::AvgWatchTimeMs,
            Curve::Constant(3000 + rng.below(9000)),
        )
        .with_metric(
            Metric::WatchTimeTotalMs,
            Curve::linear(0, views_per_hour * 5000),
        );
    spec.likes_hidden = rng.below(12) == 0;
    spec.comments_disabled = rng.below(15) == 0;
    spec.duration_secs = 10 + rng.below(600) as u32;
    if platform == Platform::Instagram && rng.below(8) == 0 {
        spec.insights_delay = TimeDelta::hours(1 + rng.below(48) as i64);
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_posts_mix_scripts_positions_and_metric_behaviours() {
        let mut rng = SplitMix64::new(3);
        let at: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        let specs: Vec<PostSpec> = (0..300)
            .map(|_| post_spec(&mut rng, Platform::Instagram, at, &["#BrandX"]))
            .collect();
        let captions: Vec<&str> = specs.iter().filter_map(|s| s.caption.as_deref()).collect();
        assert!(captions.len() < specs.len(), "some posts have no caption");
        for script_tag in ["#東京", "#Привет", "#مرحبا", "#नमस्ते", "#ＢＲＡＮＤＸ"]
        {
            assert!(
                captions.iter().any(|c| c.contains(script_tag)),
                "{script_tag}"
            );
        }
        assert!(captions.iter().any(|c| c.starts_with("#BrandX")));
        assert!(captions.iter().any(|c| c.ends_with("#BrandX")));
        assert!(captions.iter().any(|c| c.contains("#BrandX ✨")));
        assert!(specs.iter().any(|s| s.likes_hidden));
        assert!(specs.iter().any(|s| s.comments_disabled));
        let later = chrono::TimeDelta::hours(48);
        let views = |s: &PostSpec, age| s.metrics[&Metric::Views].value_at(age);
        let likes = |s: &PostSpec, age| s.metrics[&Metric::Likes].value_at(age);
        let one = chrono::TimeDelta::hours(1);
        assert!(
            specs.iter().any(|s| views(s, later) > views(s, one)),
            "growing"
        );
        assert!(
            specs.iter().any(|s| views(s, later) == views(s, one)),
            "flat"
        );
        assert!(
            specs.iter().any(|s| likes(s, later) < likes(s, one)),
            "going down"
        );
    }
}
