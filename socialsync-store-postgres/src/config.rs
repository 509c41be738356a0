//! Tracking configuration: brands, creators, scopes and the revision.

use crate::PgStore;
use crate::codec::{col, from_json, json};
use crate::error::db;
use socialsync_core::clock::Timestamp;
use socialsync_core::domain::{Brand, Creator, Scope, ScopeKind};
use socialsync_core::error::{StoreError, StoreResult};
use socialsync_core::ids::{BrandId, CreatorId, ScopeId};
use socialsync_core::store::{NewBrand, NewCreator, NewScope, ScopeChange};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use std::collections::BTreeSet;

pub(crate) async fn create_brand(s: &PgStore, new: NewBrand, now: Timestamp) -> StoreResult<Brand> {
    let id: i64 =
        sqlx::query_scalar("INSERT INTO brands (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(&new.name)
            .bind(now)
            .fetch_one(&s.pool)
            .await
            .map_err(db)?;
    Ok(Brand {
        id: BrandId(id),
        name: new.name,
        created_at: now,
    })
}

pub(crate) async fn get_brand(s: &PgStore, id: BrandId) -> StoreResult<Option<Brand>> {
    let row = sqlx::query("SELECT id, name, created_at FROM brands WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    row.map(|r| {
        Ok(Brand {
            id: BrandId(col(&r, "id")?),
            name: col(&r, "name")?,
            created_at: col(&r, "created_at")?,
        })
    })
    .transpose()
}

pub(crate) async fn create_creator(
    s: &PgStore,
    new: NewCreator,
    now: Timestamp,
) -> StoreResult<Creator> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO creators (name, external_ref, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&new.name)
    .bind(&new.external_ref)
    .bind(now)
    .fetch_one(&s.pool)
    .await
    .map_err(db)?;
    Ok(Creator {
        id: CreatorId(id),
        name: new.name,
        external_ref: new.external_ref,
        created_at: now,
    })
}

pub(crate) async fn get_creator(s: &PgStore, id: CreatorId) -> StoreResult<Option<Creator>> {
    let row = sqlx::query("SELECT id, name, external_ref, created_at FROM creators WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    row.map(|r| {
        Ok(Creator {
            id: CreatorId(col(&r, "id")?),
            name: col(&r, "name")?,
            external_ref: col(&r, "external_ref")?,
            created_at: col(&r, "created_at")?,
        })
    })
    .transpose()
}

const SCOPE_SELECT: &str = "SELECT s.id, s.brand_id, s.name, s.kind, s.hashtags, \
    s.match_keyword_tags, s.created_at, \
    ARRAY(SELECT m.creator_id FROM scope_members m WHERE m.scope_id = s.id) AS members \
    FROM scopes s";

fn scope_from_row(r: &PgRow) -> StoreResult<Scope> {
    let members: Vec<i64> = col(r, "members")?;
    Ok(Scope {
        id: ScopeId(col(r, "id")?),
        brand: BrandId(col(r, "brand_id")?),
        name: col(r, "name")?,
        kind: from_json(col(r, "kind")?, "scope kind")?,
        hashtags: from_json(col(r, "hashtags")?, "tracked hashtags")?,
        members: members.into_iter().map(CreatorId).collect(),
        match_keyword_tags: col(r, "match_keyword_tags")?,
        created_at: col(r, "created_at")?,
    })
}

async fn check_creators(tx: &mut PgConnection, creators: &[CreatorId]) -> StoreResult<()> {
    let ids: Vec<i64> = creators.iter().map(|c| c.0).collect();
    let missing: Option<i64> = sqlx::query_scalar(
        "SELECT c FROM unnest($1::bigint[]) AS c \
         WHERE NOT EXISTS (SELECT 1 FROM creators WHERE id = c) LIMIT 1",
    )
    .bind(&ids)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    match missing {
        Some(c) => Err(StoreError::not_found("creator", CreatorId(c))),
        None => Ok(()),
    }
}

async fn bump_revision(tx: &mut PgConnection) -> StoreResult<()> {
    sqlx::query("UPDATE tracking_revision SET revision = revision + 1")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn create_scope(s: &PgStore, new: NewScope, now: Timestamp) -> StoreResult<Scope> {
    if new.hashtags.is_empty() {
        return Err(StoreError::InvalidInput(
            "a scope needs at least one hashtag".into(),
        ));
    }
    let mut tx = s.pool.begin().await.map_err(db)?;
    let brand: Option<i64> = sqlx::query_scalar("SELECT id FROM brands WHERE id = $1")
        .bind(new.brand.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if brand.is_none() {
        return Err(StoreError::not_found("brand", new.brand));
    }
    check_creators(&mut tx, &new.members).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO scopes (brand_id, name, kind, hashtags, match_keyword_tags, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.brand.0)
    .bind(&new.name)
    .bind(json(&new.kind)?)
    .bind(json(&new.hashtags)?)
    .bind(new.match_keyword_tags)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    let members: BTreeSet<CreatorId> = new.members.into_iter().collect();
    let ids: Vec<i64> = members.iter().map(|c| c.0).collect();
    sqlx::query(
        "INSERT INTO scope_members (scope_id, creator_id) SELECT $1, c FROM unnest($2::bigint[]) AS c",
    )
    .bind(id)
    .bind(&ids)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    bump_revision(&mut tx).await?;
    tx.commit().await.map_err(db)?;
    Ok(Scope {
        id: ScopeId(id),
        brand: new.brand,
        name: new.name,
        kind: new.kind,
        hashtags: new.hashtags,
        members,
        match_keyword_tags: new.match_keyword_tags,
        created_at: now,
    })
}

pub(crate) async fn get_scope(
    s: &PgStore,
    brand: BrandId,
    id: ScopeId,
) -> StoreResult<Option<Scope>> {
    let sql = format!("{SCOPE_SELECT} WHERE s.id = $1 AND s.brand_id = $2");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .bind(brand.0)
        .fetch_optional(&s.pool)
        .await
        .map_err(db)?;
    row.as_ref().map(scope_from_row).transpose()
}

pub(crate) async fn list_scopes(s: &PgStore, brand: BrandId) -> StoreResult<Vec<Scope>> {
    let sql = format!("{SCOPE_SELECT} WHERE s.brand_id = $1 ORDER BY s.id");
    let rows = sqlx::query(&sql)
        .bind(brand.0)
        .fetch_all(&s.pool)
        .await
        .map_err(db)?;
    rows.iter().map(scope_from_row).collect()
}

pub(crate) async fn list_scopes_for_creator(
    s: &PgStore,
    creator: CreatorId,
) -> StoreResult<Vec<Scope>> {
    let sql = format!(
        "{SCOPE_SELECT} WHERE EXISTS (SELECT 1 FROM scope_members m \
         WHERE m.scope_id = s.id AND m.creator_id = $1) ORDER BY s.id"
    );
    let rows = sqlx::query(&sql)
        .bind(creator.0)
        .fetch_all(&s.pool)
        .await
        .map_err(db)?;
    rows.iter().map(scope_from_row).collect()
}

pub(crate) async fn update_scope(
    s: &PgStore,
    brand: BrandId,
    id: ScopeId,
    change: ScopeChange,
) -> StoreResult<Scope> {
    let mut tx = s.pool.begin().await.map_err(db)?;
    let sql = format!("{SCOPE_SELECT} WHERE s.id = $1 AND s.brand_id = $2 FOR UPDATE OF s");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .bind(brand.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    let Some(row) = row else {
        return Err(StoreError::not_found("scope", id));
    };
    let mut scope = scope_from_row(&row)?;
    match change {
        ScopeChange::SetHashtags(tags) => {
            if tags.is_empty() {
                return Err(StoreError::InvalidInput(
                    "a scope needs at least one hashtag".into(),
                ));
            }
            sqlx::query("UPDATE scopes SET hashtags = $2 WHERE id = $1")
                .bind(id.0)
                .bind(json(&tags)?)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            scope.hashtags = tags;
        }
        ScopeChange::AddMembers(c) => {
            check_creators(&mut tx, &c).await?;
            let ids: Vec<i64> = c.iter().map(|c| c.0).collect();
            sqlx::query(
                "INSERT INTO scope_members (scope_id, creator_id) \
                 SELECT $1, c FROM unnest($2::bigint[]) AS c ON CONFLICT DO NOTHING",
            )
            .bind(id.0)
            .bind(&ids)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            scope.members.extend(c);
        }
        ScopeChange::RemoveMembers(c) => {
            let ids: Vec<i64> = c.iter().map(|c| c.0).collect();
            sqlx::query("DELETE FROM scope_members WHERE scope_id = $1 AND creator_id = ANY($2)")
                .bind(id.0)
                .bind(&ids)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            for m in c {
                scope.members.remove(&m);
            }
        }
        ScopeChange::SetWindow(w) => match scope.kind {
            ScopeKind::Campaign { .. } => {
                if w.is_some_and(|w| !w.is_valid()) {
                    return Err(StoreError::InvalidInput(
                        "window ends before it starts".into(),
                    ));
                }
                let kind = ScopeKind::Campaign { window: w };
                sqlx::query("UPDATE scopes SET kind = $2 WHERE id = $1")
                    .bind(id.0)
                    .bind(json(&kind)?)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                scope.kind = kind;
            }
            ScopeKind::Program => {
                return Err(StoreError::InvalidInput(
                    "a creator program has no window".into(),
                ));
            }
        },
        ScopeChange::SetMatchKeywordTags(b) => {
            sqlx::query("UPDATE scopes SET match_keyword_tags = $2 WHERE id = $1")
                .bind(id.0)
                .bind(b)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            scope.match_keyword_tags = b;
        }
    }
    bump_revision(&mut tx).await?;
    tx.commit().await.map_err(db)?;
    Ok(scope)
}

pub(crate) async fn tracking_revision(s: &PgStore) -> StoreResult<u64> {
    let r: i64 = sqlx::query_scalar("SELECT revision FROM tracking_revision")
        .fetch_one(&s.pool)
        .await
        .map_err(db)?;
    u64::try_from(r).map_err(crate::error::corrupt)
}
