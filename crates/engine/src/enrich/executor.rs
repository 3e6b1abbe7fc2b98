//! `BackgroundExecutor`: runs enrichment jobs detached on the tokio runtime, one at a time, and
//! hands back a [`JobHandle`] to pause, resume, cancel and await each.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

use super::EnrichmentResult;
use super::job::{EnrichmentError, EnrichmentJob, JobControl};

/// Runs one enrichment job at a time. Cloning gives another handle to the same executor.
#[derive(Debug, Clone, Default)]
pub struct BackgroundExecutor {
    current: Arc<Mutex<Option<JobControl>>>,
}

/// A running job: control it, then `join` it for its result.
#[derive(Debug)]
pub struct JobHandle {
    control: JobControl,
    task: JoinHandle<Result<EnrichmentResult, EnrichmentError>>,
}

/// The executor's one slot, held from the claim until the job's task ends (even if it panics
/// or is aborted), or until a refused start gives it back.
struct Slot(Arc<Mutex<Option<JobControl>>>);

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl BackgroundExecutor {
    /// An executor with no job.
    pub fn new() -> Self {
        BackgroundExecutor::default()
    }

    /// Starts `job` on the current tokio runtime; its checks (settings, WiFi, the library's
    /// claim) run in the task, so a refusal comes from [`JobHandle::join`]. Refused at once
    /// while another job of this executor runs.
    pub fn spawn(&self, job: EnrichmentJob) -> Result<JobHandle, EnrichmentError> {
        let (slot, control) = self.claim()?;
        let run_control = control.clone();
        Ok(Self::launch(slot, control, job.run(run_control)))
    }

    /// Checks `job` and claims the library for it ([`EnrichmentJob::prepare`]) before
    /// returning, then runs it in the background: a refusal (invalid settings, not on WiFi, a
    /// job already running here or in another process) is this call's error, and changes
    /// nothing.
    pub async fn start(&self, job: EnrichmentJob) -> Result<JobHandle, EnrichmentError> {
        let (slot, control) = self.claim()?;
        let prepared = job.prepare().await?;
        let run_control = control.clone();
        Ok(Self::launch(slot, control, prepared.run(run_control)))
    }

    fn claim(&self) -> Result<(Slot, JobControl), EnrichmentError> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.is_some() {
            return Err(EnrichmentError::AlreadyRunning);
        }
        let control = JobControl::default();
        *current = Some(control.clone());
        Ok((Slot(Arc::clone(&self.current)), control))
    }

    fn launch(
        slot: Slot,
        control: JobControl,
        run: impl Future<Output = Result<EnrichmentResult, EnrichmentError>> + Send + 'static,
    ) -> JobHandle {
        let task = tokio::spawn(async move {
            let _slot = slot;
            run.await
        });
        JobHandle { control, task }
    }

    /// Whether a job runs now.
    pub fn is_busy(&self) -> bool {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// The running job's controls, if any (for a shell that did not keep the handle).
    pub fn current(&self) -> Option<JobControl> {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl JobHandle {
    /// Pauses the job: attempts in flight finish, no new one starts.
    pub fn pause(&self) {
        self.control.pause();
    }

    /// Resumes a paused job.
    pub fn resume(&self) {
        self.control.resume();
    }

    /// Asks the job to stop; it does within a second, committing nothing half-done.
    pub fn cancel(&self) {
        self.control.cancel();
    }

    /// The job's controls, to keep after `join` has taken the handle.
    pub fn control(&self) -> JobControl {
        self.control.clone()
    }

    /// Waits for the job's result.
    pub async fn join(self) -> Result<EnrichmentResult, EnrichmentError> {
        match self.task.await {
            Ok(result) => result,
            Err(err) => Err(EnrichmentError::Engine(
                crate::error::EngineError::Internal(format!("the enrichment task stopped: {err}")),
            )),
        }
    }
}
