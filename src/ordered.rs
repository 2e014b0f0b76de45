//! Parallel map over a list whose results come back in input order, as they
//! are ready: workers take items in order, a reorder buffer on the calling
//! thread hands results to a sink, and workers never run more than a fixed
//! window ahead of the sink, so memory does not grow with the input.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

/// How many results, per worker, may wait in the reorder buffer.
const WINDOW_PER_WORKER: usize = 32;

/// Stack size of worker threads (deeply nested Go code recurses deeply).
const WORKER_STACK: usize = 8 << 20;

/// Runs `work` on every item on `jobs` threads and calls `sink` on the
/// results in the order of `items`, on the calling thread. The output is the
/// same whatever `jobs` is. Items are drawn from the iterator as workers
/// need them (it may be a walk still going on). A panic in `work` is
/// re-raised here.
pub fn for_each_ordered<I, R, W, S>(items: I, jobs: usize, work: W, mut sink: S)
where
    I: IntoIterator,
    I::IntoIter: Send,
    I::Item: Send,
    R: Send,
    W: Fn(I::Item) -> R + Sync,
    S: FnMut(R),
{
    let jobs = jobs.max(1);
    let window = jobs * WINDOW_PER_WORKER;
    let source = Mutex::new(items.into_iter().enumerate());
    let flow = Flow {
        emitted: Mutex::new(0),
        advanced: Condvar::new(),
        aborted: AtomicBool::new(false),
    };
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        let mut spawned = 0;
        for _ in 0..jobs {
            let tx = tx.clone();
            let (source, flow, work) = (&source, &flow, &work);
            let worker = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, move || {
                    let _guard = AbortOnUnwind(flow);
                    loop {
                        let next = source.lock().unwrap_or_else(|e| e.into_inner()).next();
                        let Some((i, item)) = next else { break };
                        if !flow.wait_for_room(i, window) {
                            break;
                        }
                        if tx.send((i, work(item))).is_err() {
                            break;
                        }
                    }
                });
            // The system may refuse more threads: run on those it gave, or here.
            match worker {
                Ok(_) => spawned += 1,
                Err(_) => break,
            }
        }
        if spawned == 0 {
            let mut source = source.lock().unwrap_or_else(|e| e.into_inner());
            for (_, item) in source.by_ref() {
                sink(work(item));
            }
            return;
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut expected = 0;
        for (i, result) in rx {
            pending.insert(i, result);
            let before = expected;
            while let Some(result) = pending.remove(&expected) {
                sink(result);
                expected += 1;
            }
            if expected != before {
                flow.advance(expected);
            }
        }
    });
}

/// `work` over `items` on up to `jobs` threads (none spawned for one job
/// or fewer than `min_per_job` items per thread), results in input order:
/// for a piece of work that other workers may be waiting for (a
/// directory's index, a package's facts), so that they wait less.
pub fn map_ordered<T, R, W>(items: Vec<T>, jobs: usize, min_per_job: usize, work: W) -> Vec<R>
where
    T: Send,
    R: Send,
    W: Fn(T) -> R + Sync,
{
    let jobs = jobs.min(items.len() / min_per_job.max(1)).max(1);
    if jobs == 1 {
        return items.into_iter().map(work).collect();
    }
    let mut out = Vec::with_capacity(items.len());
    for_each_ordered(items, jobs, work, |r| out.push(r));
    out
}

/// How far the sink has got; workers wait on it to stay within the window.
struct Flow {
    emitted: Mutex<usize>,
    advanced: Condvar,
    /// Set when a worker panicked: the sink will never catch up.
    aborted: AtomicBool,
}

impl Flow {
    /// Waits until item `i` fits in the window; false when the run is aborted.
    fn wait_for_room(&self, i: usize, window: usize) -> bool {
        let mut emitted = self.emitted.lock().unwrap_or_else(|e| e.into_inner());
        while i >= *emitted + window {
            if self.aborted.load(Ordering::Relaxed) {
                return false;
            }
            emitted = self.advanced.wait(emitted).unwrap_or_else(|e| e.into_inner());
        }
        !self.aborted.load(Ordering::Relaxed)
    }

    fn advance(&self, emitted: usize) {
        *self.emitted.lock().unwrap_or_else(|e| e.into_inner()) = emitted;
        self.advanced.notify_all();
    }
}

/// Wakes the other workers up for good when a worker unwinds.
struct AbortOnUnwind<'a>(&'a Flow);

impl Drop for AbortOnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _lock = self.0.emitted.lock().unwrap_or_else(|e| e.into_inner());
            self.0.aborted.store(true, Ordering::Relaxed);
            self.0.advanced.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_arrive_in_input_order_for_any_thread_count() {
        let items: Vec<u64> = (0..500).collect();
        for jobs in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            for_each_ordered(
                &items,
                jobs,
                |&i: &u64| {
                    // Uneven work so that workers finish out of order.
                    if i % 7 == 0 {
                        std::thread::sleep(Duration::from_micros(200));
                    }
                    i * 2
                },
                |r| seen.push(r),
            );
            assert_eq!(seen, items.iter().map(|i| i * 2).collect::<Vec<_>>(), "jobs={jobs}");
        }
    }

    #[test]
    fn workers_stay_within_the_window() {
        let items: Vec<usize> = (0..400).collect();
        let started = std::sync::atomic::AtomicUsize::new(0);
        let mut max_ahead = 0;
        let mut emitted = 0;
        for_each_ordered(
            &items,
            2,
            |&i: &usize| {
                started.fetch_max(i + 1, std::sync::atomic::Ordering::SeqCst);
                i
            },
            |_| {
                // A slow sink: workers must wait for it.
                std::thread::sleep(Duration::from_micros(50));
                emitted += 1;
                max_ahead = max_ahead.max(started.load(std::sync::atomic::Ordering::SeqCst) - emitted);
            },
        );
        assert!(
            max_ahead <= 2 * WINDOW_PER_WORKER + 2,
            "workers ran {max_ahead} items ahead"
        );
    }

    #[test]
    fn map_ordered_keeps_the_order_with_or_without_threads() {
        for (jobs, min) in [(1, 1), (2, 1), (4, 3), (2, 1000)] {
            let items: Vec<u32> = (0..100).collect();
            let out = map_ordered(items, jobs, min, |i| i + 1);
            assert_eq!(out, (1..101).collect::<Vec<_>>(), "jobs={jobs} min={min}");
        }
    }

    #[test]
    fn empty_input_calls_nothing() {
        let items: Vec<u8> = Vec::new();
        for_each_ordered(&items, 4, |_: &u8| unreachable!(), |_: ()| unreachable!());
    }

    #[test]
    fn a_panicking_worker_is_reported_not_hung() {
        let items: Vec<usize> = (0..1000).collect();
        let result = std::panic::catch_unwind(|| {
            for_each_ordered(&items, 2, |&i: &usize| if i == 3 { panic!("boom") } else { i }, |_| {});
        });
        assert!(result.is_err());
    }
}
