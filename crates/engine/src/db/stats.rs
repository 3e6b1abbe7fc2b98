//! The providers' statistics the library keeps: per job and provider, added to as the job runs
//! (`provider_stats`), and the lookups each job did not have to make (`enrichment_jobs`).

use std::collections::BTreeMap;

use super::Database;
use super::enrich::Selection;
use crate::error::Result;
use crate::model::{LatencyHistogram, ProviderRequests, ProviderStatsReport, RunStats, Savings};

#[derive(sqlx::FromRow)]
struct StatsRow {
    job_id: i64,
    provider: String,
    sent: i64,
    throttled: i64,
    failed: i64,
    retries: i64,
    bytes: i64,
    found: i64,
    not_found: i64,
    latency: String,
}

impl StatsRow {
    fn requests(&self) -> ProviderRequests {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let mut r = ProviderRequests {
            provider: self.provider.clone(),
            sent: n(self.sent),
            throttled: n(self.throttled),
            failed: n(self.failed),
            retries: n(self.retries),
            bytes: n(self.bytes),
            found: n(self.found),
            not_found: n(self.not_found),
            // A histogram that does not parse (written by hand?) loses its percentiles only.
            latency: serde_json::from_str(&self.latency).unwrap_or_default(),
            latency_p50_ms: None,
            latency_p95_ms: None,
        };
        r.fill_percentiles();
        r
    }
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    started_at: i64,
    finished_at: Option<i64>,
    remembered_artwork: i64,
    remembered_lyrics: i64,
    local_artwork: i64,
}

impl RunRow {
    fn saved(&self) -> Savings {
        let n = |v: i64| u32::try_from(v).unwrap_or(0);
        Savings {
            remembered_artwork: n(self.remembered_artwork),
            remembered_lyrics: n(self.remembered_lyrics),
            local_artwork: n(self.local_artwork),
        }
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Database {
    /// Adds what `providers` counted (since the last call) to job `job_id`'s rows, and
    /// `local_artwork` albums found on disk to its savings, in one transaction.
    pub async fn add_provider_stats(
        &self,
        job_id: i64,
        providers: &[ProviderRequests],
        local_artwork: u32,
    ) -> Result<()> {
        if providers.is_empty() && local_artwork == 0 {
            return Ok(());
        }
        let _hold = self.hold.guard();
        let mut tx = super::begin_write(&self.pool).await?;
        for p in providers {
            let before: Option<(String,)> = sqlx::query_as(
                "SELECT latency FROM provider_stats WHERE job_id = ?1 AND provider = ?2",
            )
            .bind(job_id)
            .bind(&p.provider)
            .fetch_optional(&mut *tx)
            .await?;
            let mut latency: LatencyHistogram = before
                .and_then(|(json,)| serde_json::from_str(&json).ok())
                .unwrap_or_default();
            latency.add(&p.latency);
            let latency = serde_json::to_string(&latency)
                .map_err(|e| crate::EngineError::Internal(format!("latency histogram: {e}")))?;
            sqlx::query(
                "INSERT INTO provider_stats (job_id, provider, sent, throttled, failed, retries, \
                                             bytes, found, not_found, latency) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT (job_id, provider) DO UPDATE SET \
                    sent = sent + excluded.sent, throttled = throttled + excluded.throttled, \
                    failed = failed + excluded.failed, retries = retries + excluded.retries, \
                    bytes = bytes + excluded.bytes, found = found + excluded.found, \
                    not_found = not_found + excluded.not_found, latency = excluded.latency",
            )
            .bind(job_id)
            .bind(&p.provider)
            .bind(count(p.sent))
            .bind(count(p.throttled))
            .bind(count(p.failed))
            .bind(count(p.retries))
            .bind(count(p.bytes))
            .bind(count(p.found))
            .bind(count(p.not_found))
            .bind(latency)
            .execute(&mut *tx)
            .await?;
        }
        if local_artwork > 0 {
            sqlx::query(
                "UPDATE enrichment_jobs SET local_artwork = local_artwork + ?2 WHERE id = ?1",
            )
            .bind(job_id)
            .bind(local_artwork)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records, for job `job_id`, the lookups the not-found memory spares it now (see
    /// [`Database::count_remembered`]); a resumed job's count is that of its last start.
    pub async fn set_remembered(&self, job_id: i64, artwork: u32, lyrics: u32) -> Result<()> {
        let _hold = self.hold.guard();
        sqlx::query(
            "UPDATE enrichment_jobs SET remembered_artwork = ?2, remembered_lyrics = ?3 \
             WHERE id = ?1",
        )
        .bind(job_id)
        .bind(artwork)
        .bind(lyrics)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What `selection` leaves out because a source had nothing a short while ago: albums
    /// (with a track in the selection and no artwork) whose artwork was not found after
    /// `not_found_before`, and tracks whose lyrics were not found after it. Zero for a retry
    /// of failures, which the not-found memory does not filter.
    pub async fn count_remembered(&self, selection: &Selection) -> Result<(u32, u32)> {
        if selection.retry_failed {
            return Ok((0, 0));
        }
        let _hold = self.hold.guard();
        let only = selection.only_tracks_json();
        let (albums,): (i64,) = sqlx::query_as(
            "SELECT count(DISTINCT al.id) FROM albums al JOIN tracks t ON t.album_id = al.id \
             WHERE ?1 AND al.artwork_id IS NULL AND t.artwork_id IS NULL \
               AND al.artwork_checked_at >= ?2 \
               AND (?3 IS NULL OR t.id IN (SELECT value FROM json_each(?3)))",
        )
        .bind(selection.artwork)
        .bind(selection.not_found_before)
        .bind(&only)
        .fetch_one(&self.pool)
        .await?;
        let (tracks,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM tracks t \
             WHERE ?1 AND t.lyrics_status = 'unavailable' AND t.lyrics_checked_at >= ?2 \
               AND (?3 IS NULL OR t.id IN (SELECT value FROM json_each(?3)))",
        )
        .bind(selection.lyrics)
        .bind(selection.not_found_before)
        .bind(&only)
        .fetch_one(&self.pool)
        .await?;
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok((n(albums), n(tracks)))
    }

    /// The `recent` newest runs' statistics, and every run's added up.
    pub async fn provider_stats(&self, recent: u32) -> Result<ProviderStatsReport> {
        let _hold = self.hold.guard();
        let runs: Vec<RunRow> = sqlx::query_as(
            "SELECT id, started_at, finished_at, remembered_artwork, remembered_lyrics, \
                    local_artwork \
             FROM enrichment_jobs ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let rows: Vec<StatsRow> = sqlx::query_as(
            "SELECT job_id, provider, sent, throttled, failed, retries, bytes, found, not_found, \
                    latency \
             FROM provider_stats ORDER BY job_id DESC, provider",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_job: BTreeMap<i64, Vec<ProviderRequests>> = BTreeMap::new();
        let mut all_time: BTreeMap<String, ProviderRequests> = BTreeMap::new();
        for row in &rows {
            let r = row.requests();
            all_time
                .entry(r.provider.clone())
                .or_insert_with(|| ProviderRequests::new(&r.provider))
                .add(&r);
            by_job.entry(row.job_id).or_default().push(r);
        }
        let mut all_time_saved = Savings::default();
        for run in &runs {
            all_time_saved.add(&run.saved());
        }
        Ok(ProviderStatsReport {
            runs_counted: u32::try_from(runs.len()).unwrap_or(u32::MAX),
            runs: runs
                .iter()
                .take(recent as usize)
                .map(|run| RunStats {
                    job_id: run.id,
                    started_at: run.started_at,
                    ended_at: run.finished_at,
                    providers: by_job.remove(&run.id).unwrap_or_default(),
                    saved: run.saved(),
                })
                .collect(),
            all_time: all_time.into_values().collect(),
            all_time_saved,
        })
    }
}
