//! Unit tests of unlocked-map: lock state through branches and loops,
//! helpers and their callers, the guard's thresholds, doc comments.

use crate::rules::testing::run_rule;

/// A package with `C.m` guarded by `c.mu` in six methods, plus `extra`.
fn with_guard(extra: &str) -> String {
    format!(
        "package p\n\nimport \"sync\"\n\ntype C struct {{\n\tmu sync.Mutex\n\tm  map[string]int\n}}\n\n\
func (c *C) Put(k string) {{\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.m[k] = 1\n}}\n\n\
func (c *C) Del(k string) {{\n\tc.mu.Lock()\n\tdelete(c.m, k)\n\tc.mu.Unlock()\n}}\n\n\
func (c *C) Get(k string) int {{\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\treturn c.m[k]\n}}\n\n\
func (c *C) Has(k string) bool {{\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\t_, ok := c.m[k]\n\treturn ok\n}}\n\n\
func (c *C) Keys() (out []string) {{\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tfor k := range c.m {{\n\t\tout = append(out, k)\n\t}}\n\treturn out\n}}\n\n\
func (c *C) Clear() {{\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tclear(c.m)\n}}\n\n{extra}"
    )
}

fn lines(src: &str) -> Vec<usize> {
    run_rule("unlocked-map", src, 22).into_iter().map(|o| o.line).collect()
}

fn line_of(src: &str, needle: &str) -> usize {
    src.lines().position(|l| l.contains(needle)).expect("needle in source") + 1
}

#[test]
fn reports_the_first_unguarded_access_once_per_function() {
    let src = with_guard("func (c *C) Peek(k string) int {\n\tv := c.m[k] // first\n\treturn v + c.m[k+k]\n}\n");
    assert_eq!(lines(&src), [line_of(&src, "// first")]);
    let out = run_rule("unlocked-map", &src, 22);
    let fixed = out[0].fixed.as_ref().expect("a fix");
    assert!(
        fixed.contains("func (c *C) Peek(k string) int {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n"),
        "{fixed}"
    );
}

#[test]
fn follows_the_lock_through_branches_and_loops() {
    let held = "func (c *C) Early(k string, x bool) {\n\tc.mu.Lock()\n\tif x {\n\t\tc.mu.Unlock()\n\t\treturn\n\t}\n\tc.m[k] = 2\n\tc.mu.Unlock()\n}\n\n\
func (c *C) Loop(ks []string) {\n\tfor _, k := range ks {\n\t\tc.mu.Lock()\n\t\tc.m[k] = 3\n\t\tc.mu.Unlock()\n\t}\n}\n";
    assert_eq!(lines(&with_guard(held)), Vec::<usize>::new());
    let after = "func (c *C) After(k string) {\n\tc.mu.Lock()\n\tn := len(c.m)\n\tc.mu.Unlock()\n\tc.m[k] = n // after unlock\n}\n";
    let src = with_guard(after);
    assert_eq!(lines(&src), [line_of(&src, "// after unlock")]);
    // A loop that unlocks at the end of its body: the second iteration's
    // access happens without the lock only if the body re-locks first.
    let relock = "func (c *C) Relock(ks []string) {\n\tc.mu.Lock()\n\tfor _, k := range ks {\n\t\tc.m[k] = 4\n\t\tc.mu.Unlock()\n\t\tc.mu.Lock()\n\t}\n\tc.mu.Unlock()\n}\n";
    assert_eq!(lines(&with_guard(relock)), Vec::<usize>::new());
}

#[test]
fn a_helper_is_guarded_when_every_caller_holds_the_lock() {
    let helper = "func (c *C) bump(k string) {\n\tc.m[k]++ // in helper\n}\n\n\
func (c *C) Bump(k string) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.bump(k)\n}\n";
    assert_eq!(lines(&with_guard(helper)), Vec::<usize>::new());
    let unlocked_caller = format!("{helper}\nfunc (c *C) Raw(k string) {{\n\tc.bump(k)\n}}\n");
    let src = with_guard(&unlocked_caller);
    let out = run_rule("unlocked-map", &src, 22);
    assert_eq!(
        out.iter().map(|o| o.line).collect::<Vec<_>>(),
        [line_of(&src, "// in helper")]
    );
    // Its caller Bump holds c.mu: taking it in bump would deadlock.
    assert!(out[0]
        .fixed
        .as_ref()
        .unwrap_err()
        .contains("a caller in the package holds c.mu"));
}

#[test]
fn needs_enough_guarded_accesses_to_infer_a_guard() {
    let src = "package p\n\nimport \"sync\"\n\ntype C struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n\n\
func (c *C) Put(k string) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.m[k] = 1\n}\n\n\
func (c *C) Get(k string) int {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\treturn c.m[k]\n}\n\n\
func (c *C) Peek(k string) int {\n\treturn c.m[k]\n}\n";
    assert_eq!(lines(src), Vec::<usize>::new(), "2 guarded accesses are not enough");
}

#[test]
fn a_write_under_the_read_lock_is_reported() {
    let src = "package p\n\nimport \"sync\"\n\ntype C struct {\n\tmu sync.RWMutex\n\tm  map[string]int\n}\n\n\
func (c *C) Put(k string) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.m[k] = 1\n}\n\n\
func (c *C) Get(k string) int {\n\tc.mu.RLock()\n\tdefer c.mu.RUnlock()\n\treturn c.m[k]\n}\n\n\
func (c *C) Del(k string) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tdelete(c.m, k)\n}\n\n\
func (c *C) Touch(k string) {\n\tc.mu.RLock()\n\tdefer c.mu.RUnlock()\n\tc.m[k]++ // write\n}\n";
    let out = run_rule("unlocked-map", src, 22);
    assert_eq!(
        out.iter().map(|o| o.line).collect::<Vec<_>>(),
        [line_of(src, "// write")]
    );
    assert!(out[0].fixed.as_ref().unwrap_err().contains("instead of the read lock"));
}

#[test]
fn doc_comments_that_say_the_lock_is_held() {
    for doc in [
        "// flush must be called with c.mu held.",
        "// Lock should be held.",
        "// This function expects the caller to acquire needed locks.",
        "// Assumes the lock is held.",
    ] {
        let src = with_guard(&format!(
            "{doc}\nfunc (c *C) flush(k string) {{\n\tdelete(c.m, k)\n}}\n\n{FLUSH}"
        ));
        assert_eq!(lines(&src), Vec::<usize>::new(), "{doc}");
    }
    let src = with_guard(&format!(
        "// flush takes no lock; the lock must not be held.\nfunc (c *C) flush(k string) {{\n\tdelete(c.m, k)\n}}\n\n{FLUSH}"
    ));
    assert_eq!(lines(&src).len(), 1);
}

/// An unlocked caller of `flush`.
const FLUSH: &str = "func (c *C) Flush(k string) {\n\tc.flush(k)\n}\n";

#[test]
fn an_unexported_method_without_seen_callers_is_taken_as_guarded() {
    let body = "(k string) {\n\tdelete(c.m, k) // here\n}\n";
    assert_eq!(
        lines(&with_guard(&format!("func (c *C) drop{body}"))),
        Vec::<usize>::new()
    );
    let src = with_guard(&format!("func (c *C) Drop{body}"));
    assert_eq!(
        lines(&src),
        [line_of(&src, "// here")],
        "an exported one is called from outside"
    );
}

#[test]
fn goroutines_start_with_no_lock_and_closures_keep_their_site_s() {
    let src = with_guard(
        "func (c *C) Spawn(k string) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tgo func() {\n\t\tc.m[k] = 5 // in goroutine\n\t}()\n\
\tfunc() {\n\t\tc.m[k] = 6\n\t}()\n}\n",
    );
    let out = run_rule("unlocked-map", &src, 22);
    assert_eq!(
        out.iter().map(|o| o.line).collect::<Vec<_>>(),
        [line_of(&src, "// in goroutine")]
    );
    assert!(out[0].fixed.as_ref().unwrap_err().contains("goroutine"));
}

#[test]
fn reads_of_a_map_only_replaced_whole_are_not_races() {
    // Copy on write: under the lock the field gets a new map, never an entry.
    let cow = "package p\n\nimport \"sync\"\n\ntype C struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n\n\
func (c *C) Set(m map[string]int) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.m = m\n}\n\n\
func (c *C) Get(k string) int {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\treturn c.m[k]\n}\n\n\
func (c *C) Has(k string) bool {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\t_, ok := c.m[k]\n\treturn ok\n}\n\n\
func (c *C) Keys() (out []string) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tfor k := range c.m {\n\t\tout = append(out, k)\n\t}\n\treturn out\n}\n\n\
func (c *C) Peek(k string) int {\n\treturn c.m[k]\n}\n";
    assert!(lines(cow).is_empty(), "{:?}", lines(cow));
    // The same read of a map changed in place is reported.
    let changed = with_guard("func (c *C) Peek(k string) int {\n\treturn c.m[k]\n}\n");
    assert_eq!(lines(&changed).len(), 1);
}

/// `r.Lock()` on a struct that embeds a mutex takes that mutex, not a
/// named one beside it: the guard of `peers` is the embedded `RWMutex`,
/// however often `snapLock` is held too.
#[test]
fn a_value_lock_takes_the_embedded_mutex_only() {
    let src = "package p\n\nimport \"sync\"\n\ntype R struct {\n\tsync.RWMutex\n\tsnapLock sync.Mutex\n\tpeers map[string]int\n}\n\n\
func (r *R) Add(k string) {\n\tr.Lock()\n\tdefer r.Unlock()\n\tr.peers[k] = 1\n}\n\n\
func (r *R) Del(k string) {\n\tr.Lock()\n\tdefer r.Unlock()\n\tdelete(r.peers, k)\n}\n\n\
func (r *R) Snap() int {\n\tr.Lock()\n\tdefer r.Unlock()\n\tr.snapLock.Lock()\n\tdefer r.snapLock.Unlock()\n\treturn len(r.peers) + r.peers[\"x\"]\n}\n\n\
func (r *R) Peek(k string) int {\n\treturn r.peers[k] // unguarded\n}\n";
    let out = run_rule("unlocked-map", src, 22);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].line, line_of(src, "// unguarded"));
    assert!(
        out[0].message.contains("without holding r.RWMutex"),
        "{}",
        out[0].message
    );
}

/// Two mutexes held together at every access (taken in order): the guard
/// is the one declared nearest above the field, as Go code lays them out,
/// whatever order the tallies come in.
#[test]
fn a_tie_between_mutexes_goes_to_the_one_declared_above_the_field() {
    let src = "package p\n\nimport \"sync\"\n\ntype C struct {\n\ta sync.Mutex\n\tother map[string]int\n\tb sync.Mutex\n\tm map[string]int\n}\n\n\
func (c *C) lockBoth() {\n\tc.a.Lock()\n\tc.b.Lock()\n}\n\n\
func (c *C) Put(k string) {\n\tc.a.Lock()\n\tdefer c.a.Unlock()\n\tc.b.Lock()\n\tdefer c.b.Unlock()\n\tc.m[k] = 1\n}\n\n\
func (c *C) Del(k string) {\n\tc.a.Lock()\n\tdefer c.a.Unlock()\n\tc.b.Lock()\n\tdefer c.b.Unlock()\n\tdelete(c.m, k)\n}\n\n\
func (c *C) Get(k string) int {\n\tc.a.Lock()\n\tdefer c.a.Unlock()\n\tc.b.Lock()\n\tdefer c.b.Unlock()\n\treturn c.m[k]\n}\n\n\
func (c *C) Peek(k string) int {\n\treturn c.m[k] // unguarded\n}\n";
    for _ in 0..8 {
        let out = run_rule("unlocked-map", src, 22);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].message.contains("without holding c.b"), "{}", out[0].message);
    }
}
