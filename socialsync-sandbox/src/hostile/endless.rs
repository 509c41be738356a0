//! Endless listings: where a listing would end, empty pages follow with a
//! next cursor for ever. The cursors are stateless (each one says which
//! endless page it is), so the same request always gets the same answer.

use super::EndlessCursor;

const INSTAGRAM_MARK: &str = "~endless~";

/// The Instagram cursor id of endless page `n` (encoded like every cursor).
pub(crate) fn instagram_endless_id(n: u64) -> String {
    format!("{INSTAGRAM_MARK}{n}")
}

/// Which endless page an Instagram cursor id names, if it names one.
pub(crate) fn instagram_endless_page(cursor_id: &str) -> Option<u64> {
    cursor_id.strip_prefix(INSTAGRAM_MARK)?.parse().ok()
}

/// The endless page that follows page `n` (`None`: the last real page).
pub(crate) fn next_endless_page(mode: EndlessCursor, n: Option<u64>) -> u64 {
    match (mode, n) {
        (EndlessCursor::Repeated, _) => 0,
        (EndlessCursor::Fresh, None) => 1,
        (EndlessCursor::Fresh, Some(n)) => n.saturating_add(1),
    }
}

/// TikTok: the `cursor` of an empty endless page read with `cursor`
/// (`None`: the first page) at `now_ms`.
pub(crate) fn tiktok_endless_cursor(mode: EndlessCursor, cursor: Option<i64>, now_ms: i64) -> i64 {
    let base = cursor.unwrap_or(now_ms);
    match mode {
        EndlessCursor::Fresh => base.saturating_sub(1),
        EndlessCursor::Repeated => base,
    }
}

/// YouTube: the offset of the next page token after the page
/// `offset..end` that reached the end of the playlist.
pub(crate) fn youtube_endless_offset(mode: EndlessCursor, offset: usize, end: usize) -> usize {
    if end > offset {
        return end;
    }
    match mode {
        EndlessCursor::Fresh => offset.saturating_add(1),
        EndlessCursor::Repeated => offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_cursors_move_and_repeated_ones_stay() {
        assert_eq!(next_endless_page(EndlessCursor::Fresh, None), 1);
        assert_eq!(next_endless_page(EndlessCursor::Fresh, Some(4)), 5);
        assert_eq!(next_endless_page(EndlessCursor::Repeated, Some(4)), 0);
        assert_eq!(
            instagram_endless_page(&instagram_endless_id(7)),
            Some(7),
            "round trip"
        );
        assert_eq!(instagram_endless_page("18040000000000005"), None);
        assert_eq!(tiktok_endless_cursor(EndlessCursor::Fresh, Some(10), 99), 9);
        assert_eq!(tiktok_endless_cursor(EndlessCursor::Repeated, None, 99), 99);
        assert_eq!(youtube_endless_offset(EndlessCursor::Fresh, 3, 5), 5);
        assert_eq!(youtube_endless_offset(EndlessCursor::Fresh, 5, 5), 6);
        assert_eq!(youtube_endless_offset(EndlessCursor::Repeated, 5, 5), 5);
    }
}
