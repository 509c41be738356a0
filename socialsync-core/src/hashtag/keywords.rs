use super::HashtagKey;
/// Keyword tag key.
pub fn keyword_tag_key(tag: &str) -> Option<HashtagKey> {
    let t = tag.trim();
    let t = t.strip_prefix('#').unwrap_or(t);
    let tags = super::extract_hashtags(&format!("#{t}")).len();
    if tags == 1 && t.chars().all(|c| c.is_alphanumeric() || c == '_') {
        HashtagKey::of(t)
    } else {
        None
    }
}
