//! `BackgroundExecutor`: runs enrichment jobs detached on the tokio runtime, one at a time, and
//! hands back a [`JobHandle`] to observe, pause, resume, cancel and await each.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::EnrichmentResult;
use super::job::{EnrichmentError, EnrichmentJob, JobControl};

/// Where a job handed to the executor stands.
#[derive(Debug, Clone, PartialEq)]
pub enum JobStatus {
    Running,
    Paused,
    Finished,
}

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
    done: watch::Receiver<bool>,
}

impl BackgroundExecutor {
    pub fn new() -> Self {
        BackgroundExecutor::default()
    }

    /// Starts `job` on the current tokio runtime. Refused while another job of this executor
    /// runs.
    pub fn spawn(&self, job: EnrichmentJob) -> Result<JobHandle, EnrichmentError> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.is_some() {
            return Err(EnrichmentError::AlreadyRunning);
        }
        let control = JobControl::default();
        *current = Some(control.clone());
        drop(current);
        let (done_tx, done_rx) = watch::channel(false);
        let slot = Arc::clone(&self.current);
        let run_control = control.clone();
        let task = tokio::spawn(async move {
            // The slot is freed however the job ends (even if its task panics or is aborted).
            struct Release(Arc<Mutex<Option<JobControl>>>, watch::Sender<bool>);
            impl Drop for Release {
                fn drop(&mut self) {
                    *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
                    self.1.send_replace(true);
                }
            }
            let _release = Release(slot, done_tx);
            job.run(run_control).await
        });
        Ok(JobHandle {
            control,
            task,
            done: done_rx,
        })
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
    pub fn pause(&self) {
        self.control.pause();
    }

    pub fn resume(&self) {
        self.control.resume();
    }

    /// Asks the job to stop; it does within a second, committing nothing half-done.
    pub fn cancel(&self) {
        self.control.cancel();
    }

    pub fn control(&self) -> JobControl {
        self.control.clone()
    }

    pub fn status(&self) -> JobStatus {
        if *self.done.borrow() {
            JobStatus::Finished
        } else if *self.control.pause.borrow() {
            JobStatus::Paused
        } else {
            JobStatus::Running
        }
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
