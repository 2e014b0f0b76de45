package cache

type Cache struct {
	items map[string][]byte
	hits  map[string]int
}

// Flush drops every entry.
func (c *Cache) Flush() {
	for k := range c.items {
		delete(c.items, k)
	}
}

// Stats returns the hit counts.
func (c *Cache) Stats() map[string]int {
	return c.hits
}

// Reset forgets the hit counts and records a reset.
func (c *Cache) Reset() {
	c.hits = nil
	c.hits["reset"]++
}
