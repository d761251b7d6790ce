//! In-memory state: the channels, the request journal and the injected faults.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::Serialize;

/// One request as the emulator received it.
#[derive(Clone, Debug, Serialize)]
pub struct JournalEntry {
    pub method: String,
    pub path: String,
    /// In the order the client sent them, with their original names.
    pub headers: Vec<(String, String)>,
    /// The body as sent (non-UTF-8 bytes replaced).
    pub body: String,
    /// From the path, e.g. `JoinStorageSession`; empty when the path names no operation.
    pub operation: String,
    /// The status answered; 0 while the response is still pending (e.g. delayed) or when the
    /// connection was reset instead.
    pub status: u16,
    pub signature_verified: bool,
}

impl JournalEntry {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Make the next `count` calls of `operation` (any operation when None) misbehave.
#[derive(Clone, Debug)]
pub struct Fault {
    pub operation: Option<String>,
    pub count: u32,
    pub kind: FaultKind,
}

#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Answer with this AWS error instead.
    Error {
        status: u16,
        code: String,
        message: String,
    },
    /// Wait this long, then answer normally (read timeouts).
    Delay(Duration),
    /// Close the connection without answering.
    Reset,
    /// Answer with this raw response instead.
    Malformed {
        status: u16,
        content_type: String,
        body: String,
    },
}

/// A signaling channel.
#[derive(Clone, Debug)]
pub struct Channel {
    pub name: String,
    pub arn: String,
    pub channel_type: String,
    pub message_ttl_seconds: u64,
    pub created: SystemTime,
    pub version: String,
    pub storage_enabled: bool,
    pub stream_arn: Option<String>,
}

/// How many requests the journal keeps by default: enough for any test run, small enough that
/// an emulator left running under load stays within a few megabytes.
pub const JOURNAL_CAPACITY: usize = 10_000;

/// The most recent requests, oldest first. Entries are numbered from the first request ever
/// recorded, so that a response can find its entry after older ones were dropped.
struct Journal {
    entries: VecDeque<JournalEntry>,
    /// The number of the entry at the front.
    first: u64,
    capacity: usize,
}

pub struct State {
    channels: Mutex<HashMap<String, Channel>>,
    journal: Mutex<Journal>,
    faults: Mutex<Vec<Fault>>,
}

impl Default for State {
    fn default() -> Self {
        State::new(JOURNAL_CAPACITY)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panicking request handler must not take the whole emulator down with it.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    /// A journal capacity of 0 keeps nothing.
    pub fn new(journal_capacity: usize) -> State {
        State {
            channels: Mutex::default(),
            journal: Mutex::new(Journal {
                entries: VecDeque::new(),
                first: 0,
                capacity: journal_capacity,
            }),
            faults: Mutex::default(),
        }
    }

    pub fn channel(&self, arn: &str) -> Option<Channel> {
        lock(&self.channels).get(arn).cloned()
    }

    pub fn channel_by_name(&self, name: &str) -> Option<Channel> {
        lock(&self.channels)
            .values()
            .find(|c| c.name == name)
            .cloned()
    }

    pub fn insert_channel(&self, channel: Channel) {
        lock(&self.channels).insert(channel.arn.clone(), channel);
    }

    pub fn remove_channel(&self, arn: &str) -> Option<Channel> {
        lock(&self.channels).remove(arn)
    }

    pub fn update_channel(&self, arn: &str, update: impl FnOnce(&mut Channel)) -> bool {
        match lock(&self.channels).get_mut(arn) {
            Some(channel) => {
                update(channel);
                true
            }
            None => false,
        }
    }

    /// Record a request, dropping the oldest when full; returns its number for `set_status`.
    pub fn record(&self, entry: JournalEntry) -> u64 {
        let mut journal = lock(&self.journal);
        let number = journal.first + journal.entries.len() as u64;
        journal.entries.push_back(entry);
        while journal.entries.len() > journal.capacity {
            journal.entries.pop_front();
            journal.first += 1;
        }
        number
    }

    /// A no-op when the entry has been dropped or cleared since.
    pub fn set_status(&self, number: u64, status: u16) {
        let mut journal = lock(&self.journal);
        let Some(index) = number.checked_sub(journal.first) else {
            return;
        };
        if let Some(entry) = usize::try_from(index)
            .ok()
            .and_then(|i| journal.entries.get_mut(i))
        {
            entry.status = status;
        }
    }

    pub fn journal(&self) -> Vec<JournalEntry> {
        lock(&self.journal).entries.iter().cloned().collect()
    }

    pub fn clear_journal(&self) {
        let mut journal = lock(&self.journal);
        journal.first += journal.entries.len() as u64;
        journal.entries.clear();
    }

    pub fn inject(&self, fault: Fault) {
        if fault.count > 0 {
            lock(&self.faults).push(fault);
        }
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// The first fault that applies to `operation`, counted down by one.
    pub fn take_fault(&self, operation: &str) -> Option<FaultKind> {
        let mut faults = lock(&self.faults);
        let index = faults
            .iter()
            .position(|f| f.operation.as_deref().is_none_or(|op| op == operation))?;
        let fault = &mut faults[index];
        let kind = fault.kind.clone();
        fault.count -= 1;
        if fault.count == 0 {
            faults.remove(index);
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_count_down_and_match_their_operation() {
        let state = State::default();
        state.inject(Fault {
            operation: Some("JoinStorageSession".into()),
            count: 2,
            kind: FaultKind::Reset,
        });
        assert!(state.take_fault("GetSignalingChannelEndpoint").is_none());
        assert!(state.take_fault("JoinStorageSession").is_some());
        assert!(state.take_fault("JoinStorageSession").is_some());
        assert!(state.take_fault("JoinStorageSession").is_none());
        state.inject(Fault {
            operation: None,
            count: 1,
            kind: FaultKind::Delay(Duration::from_millis(1)),
        });
        assert!(state.take_fault("Anything").is_some());
        assert!(state.take_fault("Anything").is_none());
    }

    fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            method: "POST".into(),
            path: path.into(),
            headers: Vec::new(),
            body: String::new(),
            operation: String::new(),
            status: 0,
            signature_verified: false,
        }
    }

    #[test]
    fn statuses_reach_their_entry_after_older_ones_are_dropped_or_cleared() {
        let state = State::new(2);
        let a = state.record(entry("/a"));
        let b = state.record(entry("/b"));
        let c = state.record(entry("/c"));
        state.set_status(a, 500);
        state.set_status(c, 200);
        let paths: Vec<_> = state
            .journal()
            .iter()
            .map(|e| (e.path.clone(), e.status))
            .collect();
        assert_eq!(paths, [("/b".into(), 0), ("/c".into(), 200)]);
        state.clear_journal();
        state.set_status(b, 404);
        let d = state.record(entry("/d"));
        state.set_status(d, 201);
        assert_eq!(state.journal()[0].status, 201);
        assert_eq!(state.journal().len(), 1);
    }
}
