// Package cache is a small TTL cache.
package cache

import (
	"sync"
	"time"
)

type entry struct {
	value   string
	expires time.Time
}

// Cache holds values until they expire.
type Cache struct {
	mu    sync.Mutex
	items map[string]entry
	// scores ranks keys for eviction.
	scores map[float64]string
}

// New returns an empty cache.
func New() *Cache {
	return &Cache{items: make(map[string]entry), scores: make(map[float64]string)}
}

// Set stores a value for ttl.
func (c *Cache) Set(key, value string, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items[key] = entry{value: value, expires: time.Now().Add(ttl)}
}

// Get returns a live value.
func (c *Cache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok || time.Now().After(e.expires) {
		return "", false
	}
	return e.value, true
}

// Flush drops every entry.
func (c *Cache) Flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.items {
		delete(c.items, k)
	}
	for s := range c.scores {
		delete(c.scores, s)
	}
}

// Expire drops expired entries only: not a delete-all loop.
func (c *Cache) Expire(now time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, e := range c.items {
		if now.After(e.expires) {
			delete(c.items, k)
			n++
		}
	}
	return n
}
