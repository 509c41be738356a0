//! Attribution (ARCHITECTURE.md §3): which scopes a post counts for, and why.

use crate::clock::Timestamp;
use crate::domain::{Attribution, FoundHashtag, Scope, TextField};
use crate::hashtag::{HashtagKey, extract_hashtags, keyword_tag_key};
use crate::ids::CreatorId;

/// Every hashtag in a post's texts: title first, then the caption or
/// description, then YouTube keyword tags (which count only for scopes that
/// opt in). Tags with an empty key are left out: they never match.
pub fn find_hashtags(
    title: Option<&str>,
    text: &str,
    keyword_tags: &[String],
) -> Vec<FoundHashtag> {
    let mut found = Vec::new();
    let fields = title
        .map(|t| (TextField::Title, t))
        .into_iter()
        .chain(std::iter::once((TextField::Text, text)));
    for (field, body) in fields {
        for tag in extract_hashtags(body) {
            if let Some(key) = HashtagKey::of(tag.text) {
                found.push(FoundHashtag {
                    key,
                    written: tag.text.to_owned(),
                    field,
                    start: tag.start,
                    end: tag.end,
                });
            }
        }
    }
    for (i, kw) in keyword_tags.iter().enumerate() {
        if let Some(key) = keyword_tag_key(kw) {
            found.push(FoundHashtag {
                key,
                written: kw.trim().trim_start_matches(['#', '＃']).to_owned(),
                field: TextField::KeywordTag,
                start: i,
                end: i + 1,
            });
        }
    }
    found
}

/// The scopes a post counts for: one of `creators` (the creators of every
/// connection that listed it) is a member, one of its hashtags matches a
/// tracked hashtag by key (keyword tags only where the scope opts in), and
/// its publish time lies inside the campaign window. Each attribution names
/// the first matching tag and the tracked tag it matched; each scope comes
/// once, in the order of `scopes`.
pub fn attribute(
    creators: &[CreatorId],
    published_at: Timestamp,
    hashtags: &[FoundHashtag],
    scopes: &[Scope],
) -> Vec<Attribution> {
    let mut out: Vec<Attribution> = Vec::new();
    for scope in scopes {
        if !creators.iter().any(|c| scope.members.contains(c)) {
            continue;
        }
        if out.iter().any(|a| a.scope == scope.id) {
            continue;
        }
        if scope.window().is_some_and(|w| !w.contains(published_at)) {
            continue;
        }
        let hit = hashtags
            .iter()
            .filter(|h| h.field != TextField::KeywordTag || scope.match_keyword_tags)
            .find_map(|h| {
                scope
                    .hashtags
                    .iter()
                    .find(|t| t.key() == &h.key)
                    .map(|t| (h, t))
            });
        if let Some((found, tracked)) = hit {
            out.push(Attribution {
                scope: scope.id,
                brand: scope.brand,
                tracked: tracked.written().to_owned(),
                found: found.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CampaignWindow, ScopeKind};
    use crate::hashtag::TrackedHashtag;
    use crate::ids::{BrandId, ScopeId};

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn scope(id: i64, tags: &[&str], members: &[i64], kind: ScopeKind, kw: bool) -> Scope {
        Scope {
            id: ScopeId(id),
            brand: BrandId(1),
            name: format!("s{id}"),
            kind,
            hashtags: tags
                .iter()
                .map(|t| TrackedHashtag::parse(t).unwrap())
                .collect(),
            members: members.iter().map(|m| CreatorId(*m)).collect(),
            match_keyword_tags: kw,
            created_at: t("2026-01-01T00:00:00Z"),
        }
    }

    #[test]
    fn attribution_needs_member_tag_and_window() {
        let found = find_hashtags(Some("Launch #BRANDX"), "so good #ad", &[]);
        assert_eq!(found.len(), 2);
        let published = t("2026-02-10T00:00:00Z");
        let window = CampaignWindow {
            starts_at: Some(t("2026-02-01T00:00:00Z")),
            ends_at: Some(published),
        };
        let scopes = [
            scope(1, &["brandx"], &[7], ScopeKind::Program, false),
            scope(2, &["brandx"], &[8], ScopeKind::Program, false),
            scope(3, &["other"], &[7], ScopeKind::Program, false),
            scope(
                4,
                &["BrandX"],
                &[7],
                ScopeKind::Campaign {
                    window: Some(window),
                },
                false,
            ),
            scope(
                5,
                &["ad", "brandx"],
                &[7],
                ScopeKind::Campaign { window: None },
                false,
            ),
        ];
        let got = attribute(&[CreatorId(7)], published, &found, &scopes);
        let ids: Vec<i64> = got.iter().map(|a| a.scope.0).collect();
        assert_eq!(ids, [1, 5]);
        assert_eq!(got[0].found.field, TextField::Title);
        assert_eq!(got[0].tracked, "brandx");
        assert_eq!(
            got[1].tracked, "brandx",
            "the title is searched before the text"
        );
    }

    #[test]
    fn keyword_tags_count_only_when_opted_in() {
        let found = find_hashtags(None, "no tags here", &["BrandX".into(), "brand x".into()]);
        assert_eq!(found.len(), 1);
        let published = t("2026-02-10T00:00:00Z");
        let scopes = [
            scope(1, &["brandx"], &[7], ScopeKind::Program, false),
            scope(2, &["brandx"], &[7], ScopeKind::Program, true),
        ];
        let got = attribute(&[CreatorId(7)], published, &found, &scopes);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].scope, ScopeId(2));
    }

    #[test]
    fn any_listers_membership_matches() {
        let found = find_hashtags(None, "collab #brandx", &[]);
        let published = t("2026-02-10T00:00:00Z");
        let scopes = [
            scope(1, &["brandx"], &[7], ScopeKind::Program, false),
            scope(2, &["brandx"], &[8], ScopeKind::Program, false),
            scope(3, &["brandx"], &[9], ScopeKind::Program, false),
            scope(1, &["brandx"], &[7], ScopeKind::Program, false),
        ];
        let ids = |creators: &[CreatorId]| -> Vec<i64> {
            attribute(creators, published, &found, &scopes)
                .iter()
                .map(|a| a.scope.0)
                .collect()
        };
        assert_eq!(ids(&[CreatorId(7), CreatorId(8)]), [1, 2]);
        assert_eq!(
            ids(&[CreatorId(8), CreatorId(7)]),
            [1, 2],
            "order of listers"
        );
        assert_eq!(ids(&[CreatorId(5)]), Vec::<i64>::new());
        assert_eq!(ids(&[]), Vec::<i64>::new());
    }

    #[test]
    fn whole_tag_equality_only() {
        let found = find_hashtags(None, "#BrandXmas", &[]);
        let scopes = [scope(1, &["brandx"], &[7], ScopeKind::Program, false)];
        assert!(attribute(&[CreatorId(7)], t("2026-02-10T00:00:00Z"), &found, &scopes).is_empty());
    }
}
